/**
 * Run one mini-program page in miniprogram-simulate with a fake `wx` that
 * answers from a sample, the way tests/miniprogram does, and hand back its
 * rendered tree once the page has settled.
 */

const fs = require('fs');
const path = require('path');
const { ensureDom } = require('./dom-env');

const REPO_ROOT = path.join(__dirname, '..', '..');
const MINIPROGRAM_ROOT = path.join(REPO_ROOT, 'miniprogram');
const SETTLE_LIMIT_MS = 3000;

ensureDom();
const simulate = require('miniprogram-simulate');
const jComponent = require(require.resolve('j-component', { paths: [path.dirname(require.resolve('miniprogram-simulate'))] }));
const { installWx } = require('../../tests/miniprogram/helpers/wx-mock');

// Component options by component path, to know each one's style isolation.
const componentOptions = new Map();
if (!jComponent.register.recordsOptions) {
  const register = jComponent.register.bind(jComponent);
  jComponent.register = (definition) => {
    if (definition && definition.path) {
      componentOptions.set(definition.path, definition.options || {});
    }
    return register(definition);
  };
  jComponent.register.recordsOptions = true;
}

function readJson(file) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Forget the mini-program's modules between runs so no state carries over
// (a no-op under jest, whose own registry the test resets instead).
function clearMiniprogramModules() {
  Object.keys(require.cache).forEach((file) => {
    if (file.startsWith(MINIPROGRAM_ROOT + path.sep)) {
      delete require.cache[file];
    }
  });
}

let appDefinition = null;
let pristineGlobalData = null;

/** A fresh App instance per run, as if the mini-program had just started. */
function launchApp() {
  global.App = (definition) => {
    appDefinition = definition;
    pristineGlobalData = JSON.stringify(definition.globalData || {});
  };
  require(path.join(MINIPROGRAM_ROOT, 'app.js'));
  const app = Object.assign({}, appDefinition, { globalData: JSON.parse(pristineGlobalData) });
  global.getApp = () => app;
  global.getCurrentPages = () => [];
  if (typeof app.onLaunch === 'function') {
    app.onLaunch({ path: 'pages/home/index', query: {}, scene: 1001 });
  }
  return app;
}

/** 'GET /orders/7' or '/orders/7' → ['GET', '/orders/7']. */
function routeKey(key) {
  const match = /^([A-Z]+)\s+(\S+)$/.exec(key.trim());
  return match ? [match[1], match[2]] : ['GET', key.trim()];
}

/**
 * Install the fake wx: sample answers by route, a count of calls still in
 * flight (to know when the page has settled), and the title and toasts the
 * page asks WeChat to show.
 */
function installSampleWx(variant) {
  const mock = installWx({ storage: variant.storage });
  const state = { inFlight: 0, title: null, toasts: mock.toasts };
  Object.keys(variant.requests).forEach((key) => {
    const [method, route] = routeKey(key);
    const answer = variant.requests[key];
    if (answer.pending) {
      mock.route(method, route, () => new Promise(() => {}));
    } else if (answer.fail !== undefined) {
      mock.route(method, route, { fail: answer.fail });
    } else {
      mock.route(method, route, { statusCode: answer.status || 200, data: answer.body });
    }
  });
  const pendingForever = (options) => {
    const route = options.url.split('?')[0];
    return Object.keys(variant.requests).some((key) => variant.requests[key].pending
      && route.endsWith(routeKey(key)[1]));
  };
  const counted = (name) => {
    const original = global.wx[name];
    global.wx[name] = (options) => {
      if (name === 'request' && pendingForever(options)) {
        return original(options);
      }
      state.inFlight += 1;
      let done = false;
      const finish = (callback) => (res) => {
        if (!done) {
          done = true;
          state.inFlight -= 1;
        }
        if (callback) callback(res);
      };
      return original(Object.assign({}, options, { success: finish(options.success), fail: finish(options.fail) }));
    };
  };
  counted('request');
  counted('login');
  global.wx.setNavigationBarTitle = (options) => {
    state.title = options.title;
    if (options.success) options.success({});
  };
  ['navigateTo', 'redirectTo', 'navigateBack', 'stopPullDownRefresh', 'previewImage', 'chooseMedia', 'chooseLocation']
    .forEach((name) => {
      global.wx[name] = () => {};
    });
  return state;
}

/** Wait until no wx call is in flight for a few ticks in a row (or give up after a while). */
async function settle(state) {
  const started = Date.now();
  let quiet = 0;
  while (quiet < 5 && Date.now() - started < SETTLE_LIMIT_MS) {
    await sleep(0);
    quiet = state.inFlight === 0 ? quiet + 1 : 0;
  }
}

function findNode(page, selector) {
  const node = page.querySelector(selector);
  if (!node) {
    throw new Error(`nothing rendered matches ${selector}`);
  }
  return node;
}

/**
 * Render a page for one sample variant. Returns {tree, title, toasts,
 * componentOptions, instanceData}.
 */
async function runPage(pagePath, variant) {
  clearMiniprogramModules();
  const state = installSampleWx(variant);
  launchApp();
  const pageJson = readJson(path.join(MINIPROGRAM_ROOT, `${pagePath}.json`));
  const id = simulate.load(path.join(MINIPROGRAM_ROOT, pagePath), { rootPath: MINIPROGRAM_ROOT });
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  if (typeof page.instance.onLoad === 'function') {
    page.instance.onLoad(Object.assign({}, variant.query));
  }
  page.triggerPageLifeTime('show');
  await settle(state);

  for (const call of variant.calls) {
    if (call.tap) {
      findNode(page, call.tap).dispatchEvent('tap');
    } else if (call.method) {
      page.instance[call.method](...(call.args || []));
    }
    await settle(state);
  }
  if (variant.setData) {
    page.instance.setData(variant.setData);
    await settle(state);
  }

  return {
    tree: page.toJSON(),
    title: state.title || pageJson.navigationBarTitleText || null,
    toasts: state.toasts.slice(),
    componentOptions,
    instanceData: page.instance.data,
  };
}

module.exports = {
  MINIPROGRAM_ROOT,
  REPO_ROOT,
  runPage,
  readJson,
};
