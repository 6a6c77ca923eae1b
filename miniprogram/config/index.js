/**
 * Per-environment settings, kept in one place so no page or service
 * hard-codes a host.
 */

const API_BASE_URLS = Object.freeze({
  develop: 'http://127.0.0.1:8000/api/v1',
  trial: 'https://zjfw.example.gov.cn/api/v1',
  release: 'https://zjfw.example.gov.cn/api/v1',
});

// Subscribe-message template ids, as configured in the mini-program's console. They must equal
// the backend's TEMPLATE_ORDER_UPDATE / TEMPLATE_ASSIGNMENT / TEMPLATE_REMINDER settings.
const SUBSCRIBE_TEMPLATES = Object.freeze({
  orderUpdate: 'TMPL_ORDER_UPDATE',
  assignment: 'TMPL_ASSIGNMENT',
  reminder: 'TMPL_REMINDER',
});

// A field request on a weak rural signal can take a while; longer than this
// and the person is better served by a clear "network" error and a retry.
const REQUEST_TIMEOUT_MS = 15000;

/** The running version of the mini-program: develop, trial or release. */
function envVersion() {
  try {
    const info = wx.getAccountInfoSync();
    const version = info && info.miniProgram && info.miniProgram.envVersion;
    if (Object.prototype.hasOwnProperty.call(API_BASE_URLS, version)) {
      return version;
    }
  } catch (err) {
    // Old base libraries lack getAccountInfoSync; fall through.
  }
  // Falling back to release means a published build can never end up
  // talking to a developer's localhost.
  return 'release';
}

/** The API base URL for the running environment, without a trailing slash. */
function apiBaseUrl() {
  return API_BASE_URLS[envVersion()];
}

module.exports = {
  API_BASE_URLS,
  SUBSCRIBE_TEMPLATES,
  REQUEST_TIMEOUT_MS,
  envVersion,
  apiBaseUrl,
};
