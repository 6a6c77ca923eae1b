/**
 * The expert's position for check-in and check-out. Never rejects: pages get
 * {ok: true, location} or {ok: false, reason} and decide what to say, because
 * a refused or failed fix must not stop an honest expert from signing in
 * (the server flags such visits for review instead of refusing them).
 */

// Long enough for a cold GPS fix in a field, short enough not to look frozen.
const HIGH_ACCURACY_WAIT_MS = 4000;

// wx reports a refusal in several wordings across base libraries and OSes:
// "auth deny", "auth denied", "authorize no response", and the privacy
// agreement variants. A phone with location switched off in the system
// settings says "system permission denied".
const DENIED = /auth den|authorize|privacy|scope/i;
const SYSTEM_OFF = /system permission|location service|locationswitch|gps/i;

function reasonOf(errMsg) {
  const text = errMsg || '';
  if (SYSTEM_OFF.test(text)) {
    return 'system_off';
  }
  if (DENIED.test(text)) {
    return 'denied';
  }
  return 'unavailable';
}

/**
 * Ask for the phone's position.
 *
 * gcj02, not wgs84: the order's stored point came from wx.chooseLocation on
 * the requester's phone, which returns gcj02, and the backend's geofence
 * compares the two directly. Mixing systems would put an expert standing in
 * the yard several hundred metres "away" and flag honest visits.
 */
function getLocation() {
  return new Promise((resolve) => {
    wx.getLocation({
      type: 'gcj02',
      isHighAccuracy: true,
      highAccuracyExpireTime: HIGH_ACCURACY_WAIT_MS,
      success: (res) => resolve({
        ok: true,
        location: {
          latitude: res.latitude,
          longitude: res.longitude,
          // Some phones omit accuracy; the server treats a missing one as unknown.
          accuracy: typeof res.accuracy === 'number' && res.accuracy >= 0 ? res.accuracy : undefined,
        },
      }),
      fail: (err) => {
        const detail = (err && err.errMsg) || '';
        resolve({ ok: false, reason: reasonOf(detail), detail });
      },
    });
  });
}

/** Open the mini-program's settings page so the person can allow location; resolves to whether it is now allowed. */
function openLocationSetting() {
  return new Promise((resolve) => {
    wx.openSetting({
      success: (res) => resolve(Boolean(res && res.authSetting && res.authSetting['scope.userLocation'])),
      fail: () => resolve(false),
    });
  });
}

/** Show the order's place in WeChat's map, which offers route planning from there. */
function navigateTo({ latitude, longitude, name, address }) {
  wx.openLocation({
    latitude: Number(latitude),
    longitude: Number(longitude),
    name: name || '',
    address: address || '',
    scale: 16,
  });
}

module.exports = {
  getLocation,
  openLocationSetting,
  navigateTo,
  reasonOf,
};
