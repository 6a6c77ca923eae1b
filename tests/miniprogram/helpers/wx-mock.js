/**
 * A fake `wx` at the edge of the mini-program: canned backend responses by
 * method and path, an in-memory storage, wx.login codes, and a record of
 * every request and toast so tests can assert on what was sent and shown.
 */

const DEVELOP_BASE_URL = 'http://127.0.0.1:8000/api/v1';

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A login/refresh/switch-role response body as the backend contract gives it. */
function session({
  access = 'access-1',
  refresh = 'refresh-1',
  roles = ['requester'],
  activeRole = roles[0],
  nickname = '',
  id = 42,
} = {}) {
  return {
    access_token: access,
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_in: 900,
    user: {
      id,
      nickname,
      phone_masked: '138****0000',
      roles,
      active_role: activeRole,
    },
  };
}

/** The backend's error body. */
function apiError(code, message, fields = {}) {
  return { error: { code, message, fields } };
}

function pathOf(url) {
  const withoutQuery = url.split('?')[0];
  return withoutQuery.indexOf(DEVELOP_BASE_URL) === 0
    ? withoutQuery.slice(DEVELOP_BASE_URL.length)
    : withoutQuery;
}

function createWxMock({ envVersion = 'develop', storage = {} } = {}) {
  const store = new Map(Object.entries(storage));
  const routes = new Map();
  const requests = [];
  const toasts = [];
  const loginResults = [];
  let loginCalls = 0;

  const mock = {
    requests,
    toasts,
    store,
    get loginCalls() {
      return loginCalls;
    },

    /**
     * Answer METHOD PATH with a response: {statusCode, data}, {fail: errMsg},
     * or a function (request, nthCall) returning either (or a promise of one).
     */
    route(method, path, responder) {
      routes.set(`${method.toUpperCase()} ${path}`, { responder, calls: 0 });
      return mock;
    },

    /** The requests sent to one path, in order. */
    requestsTo(path) {
      return requests.filter((req) => req.path === path);
    },

    /** Make the next wx.login call fail (offline, WeChat hiccup). */
    failNextLogin(errMsg = 'login:fail network error') {
      loginResults.push({ fail: errMsg });
      return mock;
    },

    wx: {
      request(options) {
        const method = (options.method || 'GET').toUpperCase();
        const req = {
          url: options.url,
          path: pathOf(options.url),
          method,
          data: options.data,
          header: Object.assign({}, options.header),
          timeout: options.timeout,
        };
        requests.push(req);
        const route = routes.get(`${method} ${req.path}`);
        const answer = () => {
          if (!route) {
            return { statusCode: 404, data: apiError('not_found', `no route in wx mock: ${method} ${req.path}`) };
          }
          route.calls += 1;
          const { responder } = route;
          return typeof responder === 'function' ? responder(req, route.calls) : responder;
        };
        // Answer on a later tick, like the network: callers that fire two
        // requests together really have both in flight at once.
        setTimeout(() => {
          Promise.resolve()
            .then(answer)
            .then((res) => {
              if (res && res.fail !== undefined) {
                if (options.fail) options.fail({ errMsg: res.fail });
              } else if (options.success) {
                options.success({ statusCode: res.statusCode, data: res.data, header: {} });
              }
              if (options.complete) options.complete();
            });
        }, 0);
        return { abort() {} };
      },

      login(options) {
        loginCalls += 1;
        const result = loginResults.shift();
        setTimeout(() => {
          if (result && result.fail) {
            options.fail({ errMsg: result.fail });
          } else {
            options.success({ code: `code-${loginCalls}`, errMsg: 'login:ok' });
          }
        }, 0);
      },

      getStorageSync(key) {
        return store.has(key) ? store.get(key) : '';
      },
      setStorageSync(key, value) {
        store.set(key, value);
      },
      removeStorageSync(key) {
        store.delete(key);
      },

      getAccountInfoSync() {
        return { miniProgram: { appId: 'touristappid', envVersion, version: '' } };
      },

      showToast(options) {
        toasts.push(options);
      },
      showLoading() {},
      hideLoading() {},
      showModal(options) {
        if (options && options.success) options.success({ confirm: true, cancel: false });
      },
    },
  };
  return mock;
}

// miniprogram-simulate puts its own `wx` (stubs of every API) on the global
// when it is first required; keep those and override what the tests control.
let simulateWx = null;

/** Install a fresh fake `wx` as the global the mini-program code sees. */
function installWx(options) {
  if (simulateWx === null) {
    simulateWx = global.wx || {};
  }
  const mock = createWxMock(options);
  global.wx = Object.assign({}, simulateWx, mock.wx);
  return mock;
}

module.exports = {
  DEVELOP_BASE_URL,
  apiError,
  createWxMock,
  deferred,
  installWx,
  session,
};
