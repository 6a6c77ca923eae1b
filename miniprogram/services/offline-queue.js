/**
 * Scans made without signal, kept on the phone until they can be uploaded.
 *
 * Villages often have no signal. The requester's phone then shows an offline
 * code (`OFF1.<order>.<step>.<8 digits>`, see backend/domain/offline_codes.py)
 * that the server can verify later; the expert's phone stores the scanned
 * text with its own clock and position here, and uploads it to
 * POST /orders/<id>/offline-visits (or /visits/<id>/offline-check-out) once
 * the network is back. The server takes the visit's times from the codes, not
 * from this phone, so a stored scan is proof, not a claim.
 *
 * Only offline codes are queued: an online code is a one-minute token the
 * offline endpoint refuses, so keeping one would only promise an upload that
 * can never succeed.
 *
 * An item leaves the queue only after the server accepted it or refused it
 * for good (a 4xx); network failures, 5xx and rate limits keep it for the
 * next try.
 */

const { ApiError, get, post } = require('./request');

const KEYS = Object.freeze({
  QUEUE: 'expert.offlineQueue',
  PROBLEMS: 'expert.offlineProblems',
});

// A week of two scans a day fits many times over; beyond this something is
// wrong (the phone never gets signal), and refusing a new scan is more
// honest than silently dropping an old one.
const CAPACITY = 40;
const PROBLEM_CAPACITY = 10;
const OFFLINE_CODE = /^OFF1\.(\d{1,18})\.(\d{1,12})\.(\d{8})$/;
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

const KIND = Object.freeze({ CHECK_IN: 'check_in', CHECK_OUT: 'check_out' });

function read(key) {
  try {
    const value = wx.getStorageSync(key);
    return Array.isArray(value) ? value : [];
  } catch (err) {
    return [];
  }
}

function write(key, value) {
  try {
    wx.setStorageSync(key, value);
    return true;
  } catch (err) {
    return false;
  }
}

/** Whether the scanned text is an offline check-in code (the only kind that can wait for signal). */
function isOfflineCode(text) {
  return OFFLINE_CODE.test(String(text || '').trim());
}

/** The order an offline code names, or null. */
function orderIdOf(text) {
  const match = OFFLINE_CODE.exec(String(text || '').trim());
  return match ? Number(match[1]) : null;
}

/** A device time as the backend wants it: ISO 8601 in China time with its offset. */
function chinaIso(date) {
  const shifted = new Date(date.getTime() + CHINA_OFFSET_MS);
  return `${shifted.toISOString().slice(0, 19)}+08:00`;
}

/** The scans waiting for upload, oldest first. */
function pending() {
  return read(KEYS.QUEUE);
}

function count() {
  return pending().length;
}

/**
 * Keep one scan: {kind, code, orderId, visitId?, location?, at?: Date}.
 * Resolves nothing; returns {status: 'queued' | 'duplicate' | 'full', count}.
 */
function enqueue(scan) {
  const code = String(scan.code || '').trim();
  const items = pending();
  if (items.some((item) => item.code === code)) {
    // Scanning the same code twice (a nervous double tap, or the scan page
    // opened again) must not upload it twice: the server would refuse the
    // second as a used code and the person would see a false failure.
    return { status: 'duplicate', count: items.length };
  }
  if (items.length >= CAPACITY) {
    return { status: 'full', count: items.length };
  }
  items.push({
    id: code,
    kind: scan.kind,
    code,
    orderId: Number(scan.orderId || orderIdOf(code)),
    visitId: scan.visitId ? Number(scan.visitId) : null,
    location: scan.location || null,
    scannedAt: chinaIso(scan.at || new Date()),
  });
  if (!write(KEYS.QUEUE, items)) {
    return { status: 'full', count: items.length - 1 };
  }
  return { status: 'queued', count: items.length };
}

/** A check-in kept for an order (or any order) whose check-out has not been scanned yet, or null. */
function pendingCheckIn(orderId) {
  const items = pending();
  const wanted = orderId ? Number(orderId) : null;
  return items.find((item, index) => item.kind === KIND.CHECK_IN && (wanted === null || item.orderId === wanted)
    && !items.slice(index + 1).some((other) => other.kind === KIND.CHECK_OUT && other.orderId === item.orderId))
    || null;
}

function removeItems(ids) {
  write(KEYS.QUEUE, pending().filter((item) => ids.indexOf(item.id) < 0));
}

/** One scan as the backend's OfflineScanIn. */
function scanBody(item) {
  const body = { code: item.code, scanned_at: item.scannedAt };
  if (item.location) {
    body.location = {
      latitude: item.location.latitude,
      longitude: item.location.longitude,
    };
    if (typeof item.location.accuracy === 'number') {
      body.location.accuracy = item.location.accuracy;
    }
  }
  return body;
}

/**
 * The uploads the queue turns into, in order: a check-in with the check-out
 * that followed it on the same order goes as one visit; a check-out alone
 * closes the visit it belongs to. The payload shape of backend/schemas/offline.py
 * lives here only.
 */
function planUploads(items) {
  const used = {};
  const uploads = [];
  items.forEach((item, index) => {
    if (used[item.id]) {
      return;
    }
    if (item.kind === KIND.CHECK_IN) {
      const out = items.slice(index + 1).find((other) => !used[other.id]
        && other.kind === KIND.CHECK_OUT && other.orderId === item.orderId && !other.visitId);
      const body = { check_in: scanBody(item) };
      const ids = [item.id];
      if (out) {
        body.check_out = scanBody(out);
        ids.push(out.id);
        used[out.id] = true;
      }
      used[item.id] = true;
      uploads.push({ url: `/orders/${item.orderId}/offline-visits`, body, ids, kinds: ids.length === 2 ? 'both' : 'check_in', orderId: item.orderId });
      return;
    }
    used[item.id] = true;
    uploads.push({
      url: item.visitId ? `/visits/${item.visitId}/offline-check-out` : null,
      body: { check_out: scanBody(item) },
      ids: [item.id],
      kinds: 'check_out',
      orderId: item.orderId,
    });
  });
  return uploads;
}

// A check-out scanned offline after a check-in that was uploaded on its own
// (or made online before the signal dropped) closes the visit still open on
// that order; the phone may not have known its id when it scanned.
function openVisitUrl(orderId) {
  return get('/visits').then((body) => {
    const open = ((body && body.items) || []).find((visit) => visit.order_id === orderId && visit.status === 'open');
    if (!open) {
      throw new ApiError({
        code: 'visit_not_found',
        message: '找不到这个需求单上未签退的服务记录，签退没有保存',
        status: 404,
      });
    }
    return `/visits/${open.id}/offline-check-out`;
  });
}

function sendUpload(upload) {
  const url = upload.url ? Promise.resolve(upload.url) : openVisitUrl(upload.orderId);
  // No Idempotency-Key: the offline endpoints are idempotent by the codes
  // themselves (the same record returns the same visit), and a key would be
  // refused when a check-in first sent alone is later sent with its check-out.
  return url.then((path) => post(path, upload.body));
}

/** Whether an upload failure means "never" rather than "not now". */
function isDefinitive(error) {
  const status = error && error.status;
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

function rememberProblems(rejected) {
  if (!rejected.length) {
    return;
  }
  const problems = read(KEYS.PROBLEMS).concat(rejected.map((entry) => ({
    orderId: entry.orderId,
    kinds: entry.kinds,
    message: entry.error.message,
  })));
  write(KEYS.PROBLEMS, problems.slice(-PROBLEM_CAPACITY));
}

let flushing = null;

/**
 * Upload everything that waits. Resolves to {uploaded: [{ids, kinds, orderId, visit}],
 * rejected: [{ids, kinds, orderId, error}], remaining}; never rejects.
 */
function flush() {
  if (flushing) {
    return flushing;
  }
  const uploads = planUploads(pending());
  const result = { uploaded: [], rejected: [], remaining: 0 };
  // One at a time, oldest first: a check-out must not reach the server before its check-in.
  const run = uploads.reduce((chain, upload) => chain.then(() => sendUpload(upload).then(
    (visit) => {
      removeItems(upload.ids);
      result.uploaded.push({ ids: upload.ids, kinds: upload.kinds, orderId: upload.orderId, visit });
    },
    (error) => {
      if (isDefinitive(error)) {
        removeItems(upload.ids);
        result.rejected.push({ ids: upload.ids, kinds: upload.kinds, orderId: upload.orderId, error });
      }
    },
  )), Promise.resolve());
  flushing = run.then(() => {
    flushing = null;
    result.remaining = count();
    rememberProblems(result.rejected);
    return result;
  });
  return flushing;
}

function networkType() {
  return new Promise((resolve) => {
    wx.getNetworkType({
      success: (res) => resolve(res.networkType),
      fail: () => resolve('unknown'),
    });
  });
}

/** Upload what waits if the phone has any network; resolves to flush's result or null. */
function flushIfOnline() {
  if (!count()) {
    return Promise.resolve(null);
  }
  return networkType().then((type) => (type === 'none' ? null : flush()));
}

const listeners = [];
let watching = false;

/**
 * Upload as soon as the signal comes back, and tell `listener(result)` what
 * happened. Returns a function that stops telling this listener.
 */
function watchNetwork(listener) {
  if (listener) {
    listeners.push(listener);
  }
  if (!watching && typeof wx.onNetworkStatusChange === 'function') {
    watching = true;
    wx.onNetworkStatusChange((res) => {
      if (res && res.isConnected && count()) {
        flush().then((result) => listeners.slice().forEach((notify) => notify(result)));
      }
    });
  }
  return () => {
    const index = listeners.indexOf(listener);
    if (index >= 0) {
      listeners.splice(index, 1);
    }
  };
}

/** Uploads the server refused for good since the expert last looked, to show once. */
function problems() {
  return read(KEYS.PROBLEMS);
}

function clearProblems() {
  write(KEYS.PROBLEMS, []);
}

module.exports = {
  KEYS,
  KIND,
  CAPACITY,
  isOfflineCode,
  orderIdOf,
  chinaIso,
  pending,
  count,
  enqueue,
  pendingCheckIn,
  planUploads,
  flush,
  flushIfOnline,
  watchNetwork,
  problems,
  clearProblems,
  isDefinitive,
};
