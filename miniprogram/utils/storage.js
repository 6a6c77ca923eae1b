/**
 * The session kept on the phone. Storage keys live here only, so a key
 * cannot be misspelt in one place and silently read as empty in another.
 */

const KEYS = Object.freeze({
  ACCESS_TOKEN: 'auth.accessToken',
  REFRESH_TOKEN: 'auth.refreshToken',
  USER: 'auth.user',
});

// getStorageSync returns '' for a missing key and can throw when storage is
// full or corrupted; callers only ever want "a value or null".
function read(key) {
  try {
    const value = wx.getStorageSync(key);
    return value === '' || value === undefined ? null : value;
  } catch (err) {
    return null;
  }
}

function write(key, value) {
  try {
    wx.setStorageSync(key, value);
  } catch (err) {
    // A failed write only costs a login on the next launch.
  }
}

function remove(key) {
  try {
    wx.removeStorageSync(key);
  } catch (err) {
    // Nothing to recover: the key is either gone or unreadable anyway.
  }
}

function getAccessToken() {
  return read(KEYS.ACCESS_TOKEN);
}

function getRefreshToken() {
  return read(KEYS.REFRESH_TOKEN);
}

function getUser() {
  return read(KEYS.USER);
}

function setUser(user) {
  write(KEYS.USER, user);
}

/** Store the tokens and user from a login, refresh or role switch response. */
function saveSession(session) {
  write(KEYS.ACCESS_TOKEN, session.access_token);
  write(KEYS.REFRESH_TOKEN, session.refresh_token);
  if (session.user) {
    write(KEYS.USER, session.user);
  }
}

function clearSession() {
  remove(KEYS.ACCESS_TOKEN);
  remove(KEYS.REFRESH_TOKEN);
  remove(KEYS.USER);
}

module.exports = {
  KEYS,
  getAccessToken,
  getRefreshToken,
  getUser,
  setUser,
  saveSession,
  clearSession,
};
