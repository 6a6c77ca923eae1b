/**
 * miniprogram-simulate renders into a DOM and reads `window`/`document`
 * from the global scope. Under jest (testEnvironment jsdom) they are there
 * already; run from node, make them with jsdom.
 */

const WINDOW_GLOBALS = [
  'window', 'document', 'navigator', 'Node', 'Element', 'HTMLElement', 'Event', 'CustomEvent',
  'EventTarget', 'MutationObserver', 'DocumentFragment', 'Text', 'Comment', 'getComputedStyle', 'requestAnimationFrame',
  'cancelAnimationFrame',
];

const OVERRIDE = ['Event', 'CustomEvent', 'EventTarget'];

function ensureDom() {
  if (typeof global.document !== 'undefined' && typeof global.window !== 'undefined') {
    return;
  }
  const { JSDOM } = require('jsdom');
  const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', {
    pretendToBeVisual: true,
    url: 'http://localhost/',
  });
  WINDOW_GLOBALS.forEach((name) => {
    // Node has an Event and EventTarget of its own, which jsdom's nodes refuse.
    if ((typeof global[name] === 'undefined' || OVERRIDE.includes(name)) && dom.window[name] !== undefined) {
      global[name] = name === 'window' ? dom.window : dom.window[name];
    }
  });
}

module.exports = { ensureDom };
