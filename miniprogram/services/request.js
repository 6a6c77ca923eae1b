/**
 * The one way the mini-program talks to the backend. Pages and other
 * services go through here; nothing else calls wx.request.
 *
 * Every failure reaches the caller as an ApiError {code, message, fields,
 * status} whose message is Chinese and fit to show as is.
 */

const config = require('../config/index');
const storage = require('../utils/storage');

const NETWORK_ERROR_MESSAGE = '网络不稳定，请检查网络后重试';

// Used when the backend sent no Chinese message of its own (proxies, gateways
// and framework errors answer in English or with HTML).
const STATUS_MESSAGES = Object.freeze({
  400: '提交的信息有误，请检查后重试',
  401: '登录已失效，请重新进入小程序',
  403: '您没有权限进行此操作',
  404: '要找的内容不存在或已被删除',
  409: '内容已被他人修改，请刷新后重试',
  413: '上传的内容太大，请压缩后重试',
  422: '填写的信息有误，请检查后重试',
  429: '操作太频繁，请稍后再试',
});
const CLIENT_ERROR_MESSAGE = '请求没有成功，请稍后重试';
const SERVER_ERROR_MESSAGE = '服务暂时不可用，请稍后重试';

const HAN = /[\u4e00-\u9fff]/;

class ApiError extends Error {
  constructor({ code, message, fields, status, detail }) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.fields = fields || {};
    this.status = status || 0;
    // The raw wx errMsg, for logs only; never shown to the person.
    this.detail = detail || '';
  }
}

/** A fresh key for one logical submit; Math.random suffices as it need be unique, not secret. */
function newIdempotencyKey() {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = Math.floor(Math.random() * 16);
    const v = c === 'x' ? r : (r % 4) + 8;
    return v.toString(16);
  });
}

function buildUrl(path) {
  if (/^https?:\/\//.test(path)) {
    return path;
  }
  return config.apiBaseUrl() + (path.charAt(0) === '/' ? path : `/${path}`);
}

function networkError(wxError) {
  // wx.request reports offline, DNS failure, TLS failure and timeout alike
  // through `fail`; to a person in a field they all mean "try again".
  const detail = (wxError && wxError.errMsg) || '';
  return new ApiError({
    code: 'network_error',
    message: NETWORK_ERROR_MESSAGE,
    fields: {},
    status: 0,
    detail,
  });
}

function parseBody(data) {
  if (typeof data !== 'string') {
    return data;
  }
  try {
    return JSON.parse(data);
  } catch (err) {
    return null;
  }
}

function fallbackMessage(status) {
  if (STATUS_MESSAGES[status]) {
    return STATUS_MESSAGES[status];
  }
  return status >= 500 ? SERVER_ERROR_MESSAGE : CLIENT_ERROR_MESSAGE;
}

function httpError(response) {
  const body = parseBody(response.data);
  const error = (body && typeof body === 'object' && body.error) || {};
  const status = response.statusCode;
  const message = typeof error.message === 'string' && HAN.test(error.message)
    ? error.message
    : fallbackMessage(status);
  return new ApiError({
    code: error.code || `http_${status}`,
    message,
    fields: error.fields && typeof error.fields === 'object' ? error.fields : {},
    status,
  });
}

function send(call) {
  const token = call.auth ? storage.getAccessToken() : null;
  const header = Object.assign({ 'Content-Type': 'application/json' }, call.header);
  if (token) {
    header.Authorization = `Bearer ${token}`;
  }
  if (call.idempotencyKey) {
    header['Idempotency-Key'] = call.idempotencyKey;
  }
  return new Promise((resolve, reject) => {
    wx.request({
      url: buildUrl(call.url),
      method: call.method,
      data: call.data,
      header,
      timeout: call.timeout,
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data, sentToken: token }),
      fail: (err) => reject(networkError(err)),
    });
  });
}

// One renewal at a time: when several requests or uploads hit 401 together
// (a page loading three lists, nine photos going up after the token expired)
// they all wait on the same re-login instead of each burning a wx.login code.
let renewal = null;

/**
 * Renew the session after a 401 answered a call sent with `sentToken`:
 * shares the renewal already under way, and does nothing when another call
 * renewed the session since this one was sent.
 */
function renewSession(sentToken) {
  const current = storage.getAccessToken();
  if (current && current !== sentToken) {
    // Another request already renewed the session after this one was sent.
    return Promise.resolve();
  }
  if (!renewal) {
    // Required here, not at the top: auth.js itself sends through this
    // module, and a top-level require would make the two load each other.
    const auth = require('./auth');
    renewal = auth.renewSession().then(
      () => {
        renewal = null;
      },
      (err) => {
        renewal = null;
        throw err;
      },
    );
  }
  return renewal;
}

function toResult(response) {
  if (response.statusCode >= 200 && response.statusCode < 300) {
    return response.statusCode === 204 || response.data === '' ? null : parseBody(response.data);
  }
  throw httpError(response);
}

/**
 * Send one API call and resolve to the parsed body (null for 204).
 *
 * options: url (path under the API base), method, data, header, timeout,
 * auth (default true: send the token and re-login once on 401),
 * idempotent (POST only: add an Idempotency-Key that survives the 401 retry),
 * idempotencyKey (reuse a key the caller kept from a failed earlier attempt).
 */
function request(options) {
  const method = (options.method || 'GET').toUpperCase();
  const call = {
    url: options.url,
    method,
    data: options.data,
    header: options.header || {},
    timeout: options.timeout || config.REQUEST_TIMEOUT_MS,
    auth: options.auth !== false,
    idempotencyKey: options.idempotencyKey
      || (options.idempotent && method === 'POST' ? newIdempotencyKey() : null),
  };

  return send(call)
    .then((response) => {
      if (response.statusCode === 401 && call.auth) {
        // Exactly one renewal and one retry; a second 401 is final.
        return renewSession(response.sentToken).then(() => send(call));
      }
      return response;
    })
    .then(toResult)
    .catch((err) => {
      // A non-ApiError here is a bug in this file; still give the page a
      // Chinese message, and keep the original for whoever debugs it.
      const apiError = err instanceof ApiError
        ? err
        : new ApiError({ code: 'client_error', message: CLIENT_ERROR_MESSAGE, detail: String(err) });
      if (call.idempotencyKey) {
        // Lets the caller's "重试" resubmit under the same key, so the server
        // can recognise a submit that did arrive before the network dropped.
        apiError.idempotencyKey = call.idempotencyKey;
      }
      throw apiError;
    });
}

function get(url, data, options) {
  return request(Object.assign({}, options, { url, data, method: 'GET' }));
}

function post(url, data, options) {
  return request(Object.assign({}, options, { url, data, method: 'POST' }));
}

function put(url, data, options) {
  return request(Object.assign({}, options, { url, data, method: 'PUT' }));
}

function patch(url, data, options) {
  return request(Object.assign({}, options, { url, data, method: 'PATCH' }));
}

function del(url, data, options) {
  return request(Object.assign({}, options, { url, data, method: 'DELETE' }));
}

module.exports = {
  ApiError,
  NETWORK_ERROR_MESSAGE,
  request,
  get,
  post,
  put,
  patch,
  del,
  newIdempotencyKey,
  parseBody,
  renewSession,
};
