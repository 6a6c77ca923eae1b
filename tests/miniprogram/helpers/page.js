/**
 * Open a page and use it the way a person would: tap, type, answer the
 * 请确认 modal. Shared by the page tests so each only says what it checks.
 */

const simulate = require('miniprogram-simulate');
const { installWx } = require('./wx-mock');
const { renderPage, waitFor } = require('./miniprogram');

/** Storage of someone logged in, as the page tests start. */
const LOGGED_IN = Object.freeze({ 'auth.accessToken': 'access-1', 'auth.refreshToken': 'refresh-1' });

/** A fresh fake `wx` with a logged-in user (call after jest.resetModules()). */
function installLoggedInWx() {
  return installWx({ storage: Object.assign({}, LOGGED_IN) });
}

/**
 * Render `pagePath`, call its onLoad(query) and let it settle.
 *
 * until: 'ready' (default) waits until data.status leaves 'loading';
 * 'loaded' awaits what onLoad returns; 'called' only calls it.
 * settleMs: the sleep after that, for a second round of requests.
 */
async function openPage(pagePath, query = {}, { until = 'ready', settleMs = 0 } = {}) {
  const page = renderPage(simulate, pagePath);
  const loading = page.instance.onLoad(query);
  if (until === 'ready') {
    await waitFor(() => expect(page.instance.data.status).not.toBe('loading'));
  } else if (until === 'loaded') {
    await loading;
  }
  await simulate.sleep(settleMs);
  return page;
}

/** `page.querySelector(selector)`, or an error naming what is missing. */
function find(page, selector) {
  const node = page.querySelector(selector);
  if (!node) {
    throw new Error(`nothing rendered matches ${selector}`);
  }
  return node;
}

function targetOf(pageOrNode, selector) {
  if (selector !== undefined) {
    return find(pageOrNode, selector);
  }
  if (!pageOrNode) {
    throw new Error('nothing rendered to tap');
  }
  return pageOrNode;
}

/**
 * Tap `tap(page, '#selector')` or a node `tap(page.querySelector(…))`; the
 * returned promise settles after one tick. A missing node throws at once.
 */
function tap(pageOrNode, selector) {
  targetOf(pageOrNode, selector).dispatchEvent('tap');
  return simulate.sleep(0);
}

/** Type `value` into an input (its `input` event). */
function input(page, selector, value) {
  find(page, selector).dispatchEvent('input', { detail: { value } });
  return simulate.sleep(0);
}

/** Pick `value` in a picker (its `change` event). */
function change(page, selector, value) {
  find(page, selector).dispatchEvent('change', { detail: { value } });
  return simulate.sleep(0);
}

/** The text a node shows, whitespace collapsed; null when nothing matches. */
function shown(page, selector) {
  const node = page.querySelector(selector);
  return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null;
}

/** The text a node shows, only trimmed (line breaks and runs of spaces kept). */
function shownAsIs(page, selector) {
  const node = page.querySelector(selector);
  return node ? node.dom.textContent.trim() : null;
}

/**
 * Record every wx.showModal and answer it with `answer(options)` (by
 * default 确定); returns the list of modals shown.
 */
function confirmModals(answer = () => ({ confirm: true, cancel: false })) {
  const modals = [];
  global.wx.showModal = (options) => {
    modals.push(options);
    if (options.success) options.success(answer(options));
  };
  return modals;
}

/** Replace the named wx calls (navigateTo, openLocation…) with jest mocks the test can inspect. */
function mockWx(...names) {
  names.forEach((name) => {
    global.wx[name] = jest.fn();
  });
}

module.exports = {
  LOGGED_IN,
  change,
  confirmModals,
  find,
  input,
  installLoggedInWx,
  mockWx,
  openPage,
  shown,
  shownAsIs,
  tap,
};
