/**
 * Login, token renewal and role switching. Returns view-ready user objects
 * (camelCase, with Chinese role labels) so pages need no mapping of their own.
 */

const { ApiError, get, post } = require('./request');
const storage = require('../utils/storage');
const { roleLabel } = require('../constants/roles');

const WECHAT_LOGIN_TIMEOUT_MS = 10000;

/** Turn the backend's user object into what pages show. */
function toUserView(user) {
  if (!user) {
    return null;
  }
  const roles = Array.isArray(user.roles) ? user.roles : [];
  return {
    id: user.id,
    nickname: user.nickname || '',
    phoneMasked: user.phone_masked || '',
    activeRole: user.active_role,
    activeRoleLabel: roleLabel(user.active_role),
    roles: roles.map((role) => ({ value: role, label: roleLabel(role) })),
  };
}

function wechatLoginCode() {
  return new Promise((resolve, reject) => {
    const failed = (res) => reject(new ApiError({
      code: 'wechat_login_failed',
      message: '微信登录没有成功，请稍后重试',
      detail: (res && res.errMsg) || '',
    }));
    wx.login({
      timeout: WECHAT_LOGIN_TIMEOUT_MS,
      success: (res) => (res && res.code ? resolve(res.code) : failed(res)),
      fail: failed,
    });
  });
}

function keepSession(session) {
  storage.saveSession(session);
  return toUserView(session.user);
}

/** Log in with the WeChat login code; no typing, no prompt. */
function silentLogin() {
  return wechatLoginCode()
    .then((code) => post('/auth/wechat-login', { code }, { auth: false }))
    .then(keepSession);
}

/** Exchange the stored refresh token for a new token pair. */
function refresh() {
  const refreshToken = storage.getRefreshToken();
  if (!refreshToken) {
    return Promise.reject(new ApiError({
      code: 'not_logged_in',
      message: '登录已失效，请重新进入小程序',
      status: 401,
    }));
  }
  return post('/auth/refresh', { refresh_token: refreshToken }, { auth: false }).then(keepSession);
}

/** Renew an expired session: the refresh token first, a fresh WeChat login if that fails. */
function renewSession() {
  return refresh().catch(() => silentLogin());
}

/** End the session on the server and on the phone. */
function logout() {
  const refreshToken = storage.getRefreshToken();
  const revoke = refreshToken
    ? post('/auth/logout', { refresh_token: refreshToken }, { auth: false })
    : Promise.resolve();
  // The phone forgets the session even when the server cannot be reached:
  // a person who taps 退出登录 on a shared phone must be logged out there.
  return revoke.then(
    () => storage.clearSession(),
    () => storage.clearSession(),
  );
}

/** Bind the phone number from a getPhoneNumber button's code. */
function bindPhone(code) {
  return post('/auth/phone', { code }).then((body) => {
    const user = (body && body.user) || (body && body.id !== undefined ? body : null);
    const merged = user || Object.assign({}, storage.getUser(), body);
    storage.setUser(merged);
    return toUserView(merged);
  });
}

/** Act as another of the user's roles; the backend issues tokens for it. */
function switchRole(role) {
  return post('/auth/switch-role', { role }).then(keepSession);
}

/** Fetch the current user from the server. */
function fetchMe() {
  return get('/me').then((user) => {
    storage.setUser(user);
    return toUserView(user);
  });
}

/** The user stored on the phone, or null before the first login. */
function currentUser() {
  return toUserView(storage.getUser());
}

module.exports = {
  silentLogin,
  refresh,
  renewSession,
  logout,
  bindPhone,
  switchRole,
  fetchMe,
  currentUser,
  toUserView,
};
