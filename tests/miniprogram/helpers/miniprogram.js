/** Load the mini-program's App and pages the way WeChat would, for tests. */

const path = require('path');

const MINIPROGRAM_ROOT = path.join(__dirname, '..', '..', '..', 'miniprogram');

/** Run app.js and its onLaunch; make getApp() return it. */
function launchApp() {
  let app = null;
  global.App = (definition) => {
    app = definition;
  };
  global.getApp = () => app;
  require(path.join(MINIPROGRAM_ROOT, 'app.js'));
  app.onLaunch({ path: 'pages/home/index', query: {}, scene: 1001 });
  return app;
}

/** Render a page (written with Component) attached to a parent node. */
function renderPage(simulate, pagePath) {
  const id = simulate.load(path.join(MINIPROGRAM_ROOT, pagePath), {
    rootPath: MINIPROGRAM_ROOT,
  });
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  return page;
}

/** The visible text of a rendered component, whitespace collapsed. */
function textOf(component) {
  return component.dom.textContent.replace(/\s+/g, ' ').trim();
}

/** Retry an assertion until it passes or the time is up (the UI settles asynchronously). */
async function waitFor(assertion, timeoutMs = 2000) {
  const started = Date.now();
  for (;;) {
    try {
      return assertion();
    } catch (err) {
      if (Date.now() - started > timeoutMs) {
        throw err;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

module.exports = {
  MINIPROGRAM_ROOT,
  launchApp,
  renderPage,
  textOf,
  waitFor,
};
