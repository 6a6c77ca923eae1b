/**
 * The requester's side of on-site check-in: the rotating signed code the
 * expert scans, and the day secrets kept on the phone so a code can still be
 * shown where there is no signal (utils/offline-code.js derives it).
 * Storage keys live here only.
 */

const { get } = require('./request');
const offlineCode = require('../utils/offline-code');

const SECRETS_KEY_PREFIX = 'requester.offlineSecrets.';

/** The code to show now: {token, orderId, expiresIn, refreshIn, expiresAt, openVisit, rateVisitId}. */
function getCheckinCode(orderId) {
  return get(`/orders/${orderId}/checkin-code`).then((body) => ({
    token: body.token,
    orderId: body.order_id,
    expiresIn: Number(body.expires_in) || 60,
    // The server leaves a margin before expiry; never refresh faster than every 5 s.
    refreshIn: Math.max(Number(body.refresh_in) || 45, 5),
    expiresAt: body.expires_at || '',
    openVisit: Boolean(body.open_visit),
    rateVisitId: body.rate_visit_id || null,
  }));
}

function readSecrets(orderId) {
  try {
    const value = wx.getStorageSync(SECRETS_KEY_PREFIX + orderId);
    return value && typeof value === 'object' && Array.isArray(value.secrets) ? value : null;
  } catch (err) {
    return null;
  }
}

/** Fetch the order's offline day secrets and keep them on the phone; resolves to what was stored. */
function refreshOfflineSecrets(orderId) {
  return get(`/orders/${orderId}/offline-secret`).then((body) => {
    const stored = {
      order_id: body.order_id,
      step_seconds: body.step_seconds,
      secrets: (body.secrets || []).map((each) => ({ date: each.date, secret: each.secret })),
      valid_until: body.valid_until || '',
    };
    try {
      wx.setStorageSync(SECRETS_KEY_PREFIX + orderId, stored);
    } catch (err) {
      // Storage full: the online code still works; only the offline fallback is lost.
    }
    return stored;
  });
}

/** The offline code for now from the stored secrets ({text, code, counter, day, secondsLeft}), or null. */
function offlineCodeNow(orderId, nowMs) {
  return offlineCode.currentCode(orderId, readSecrets(orderId), nowMs === undefined ? Date.now() : nowMs);
}

module.exports = {
  SECRETS_KEY_PREFIX,
  getCheckinCode,
  refreshOfflineSecrets,
  offlineCodeNow,
};
