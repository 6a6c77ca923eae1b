/**
 * On-site visits: check-in and check-out, the service log, and the expert's
 * own visit list. Pages get view-ready objects and, for a failed scan, a
 * plain-Chinese title and "what to do now"; the API's names stay here.
 */

const { get, newIdempotencyKey, post, put } = require('./request');
const { formatDateTime } = require('../utils/format');

const VISIT_STATUS = Object.freeze({
  open: { label: '服务中，未签退', color: '#0a6b3d', background: '#dff4e8' },
  completed: { label: '已完成', color: '#0b4f9c', background: '#e3eefb' },
  flagged: { label: '待核实', color: '#8a4b00', background: '#fff1db' },
  approved: { label: '核实通过', color: '#0b4f9c', background: '#e3eefb' },
  rejected: { label: '核实未通过', color: '#b3261e', background: '#fde7e4' },
});
const UNKNOWN_STATUS = Object.freeze({ label: '处理中', color: '#3d4550', background: '#e8eaed' });

const SOURCE_LABELS = Object.freeze({ scan: '扫码', offline: '离线扫码', manual: '补录' });

const LOG_DRAFT_PREFIX = 'expert.logDraft.';
const LOG_DRAFT_VERSION = 1;

function durationText(minutes) {
  if (typeof minutes !== 'number') {
    return '';
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) {
    return `${rest} 分钟`;
  }
  return rest ? `${hours} 小时 ${rest} 分钟` : `${hours} 小时`;
}

/** A visit as the pages show it. */
function toVisitView(visit) {
  const status = VISIT_STATUS[visit.status] || UNKNOWN_STATUS;
  return {
    id: visit.id,
    orderId: visit.order_id,
    status: visit.status,
    statusLabel: status.label,
    statusColor: status.color,
    statusBackground: status.background,
    isOpen: visit.status === 'open',
    sourceLabel: SOURCE_LABELS[visit.source] || '',
    checkInText: formatDateTime(visit.check_in_at),
    checkOutText: visit.check_out_at ? formatDateTime(visit.check_out_at) : '',
    durationText: durationText(visit.duration_minutes),
    inDistanceText: typeof visit.in_distance_m === 'number' ? `${visit.in_distance_m} 米` : '',
    flagLabels: Array.isArray(visit.flag_labels) ? visit.flag_labels : [],
    reviewReason: visit.review_reason || '',
    repeated: Boolean(visit.repeated),
  };
}

/** The distance the server gave with too_far_away, as '约 1.2 公里' / '约 800 米'. */
function distanceText(error) {
  const metres = error && typeof error.distance_m === 'number' ? error.distance_m : null;
  if (metres !== null) {
    return metres >= 1000 ? `约 ${(metres / 1000).toFixed(1)} 公里` : `约 ${metres} 米`;
  }
  // request.js keeps only {code, message, fields, status}, so the number
  // usually arrives inside the server's sentence: "您当前离服务地点约 1.2 公里…".
  const match = /约\s*([\d.]+)\s*(公里|米)/.exec((error && error.message) || '');
  return match ? `约 ${match[1]} ${match[2]}` : '';
}

// What each refusal means to a person holding a phone in a field, and what to do about it.
const SCAN_FAILURES = Object.freeze({
  code_expired: { title: '二维码已过期', advice: '请对方刷新二维码后再扫' },
  code_used: { title: '这个二维码已经用过了', advice: '请对方刷新二维码后再扫' },
  code_other_order: { title: '不是这个需求单的签到码', advice: '请核对需求单：让对方打开本需求单的签到码再扫' },
  code_invalid: { title: '不是有效的签到码', advice: '请扫需求方手机上「签到码」页面的二维码' },
  not_assigned: { title: '您不是这个需求单的服务专家', advice: '请核对需求单；如有疑问，请联系派单的管理员' },
  too_far_away: { title: '离服务地点太远', advice: '请到服务现场后再扫码签到' },
  visit_already_open: { title: '您上次服务还没有签退', advice: '请先签退，再重新签到', offerCheckOut: true },
  visit_closed: { title: '这次服务已经签退过了', advice: '不用再签退；可以去填写服务日志' },
  offline_code_used: { title: '这个离线签到码已经用过了', advice: '请让对方显示新的签到码再扫' },
});

/**
 * A failed check-in or check-out as {code, title, advice, detail, distanceText, offerCheckOut}:
 * the server's own sentence goes in `detail`, since it is already Chinese and specific.
 */
function describeScanFailure(error) {
  const code = (error && error.code) || '';
  const known = SCAN_FAILURES[code];
  const view = {
    code,
    title: known ? known.title : '没有签上',
    advice: known ? known.advice : '',
    detail: (error && error.message) || '请稍后重试',
    distanceText: code === 'too_far_away' ? distanceText(error) : '',
    offerCheckOut: Boolean(known && known.offerCheckOut),
  };
  if (view.distanceText) {
    view.advice = `您现在离服务地点${view.distanceText}，请到现场后再扫码签到`;
  }
  return view;
}

function locationBody(location) {
  if (!location) {
    return undefined;
  }
  const body = { latitude: location.latitude, longitude: location.longitude };
  if (typeof location.accuracy === 'number') {
    body.accuracy = location.accuracy;
  }
  return body;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// The mini-program runtime has no atob; a JWT payload is short, so a plain loop will do.
function decodeBase64Url(text) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const index = BASE64URL.indexOf(text.charAt(i));
    if (index < 0) {
      return null;
    }
    value = (value << 6) | index;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((value >> bits) & 0xff);
    }
  }
  return out;
}

/**
 * The order a scanned code names, read without verifying it (the server
 * verifies): the online code is a JWT whose payload carries the order as `o`;
 * the offline one reads OFF1.<order>.… . Lets 扫码签到 from the home page work
 * without first picking the task. Null when the text is neither.
 */
function orderIdOfCode(text) {
  const value = String(text || '').trim();
  const offline = /^OFF1\.(\d{1,18})\./.exec(value);
  if (offline) {
    return Number(offline[1]);
  }
  const parts = value.split('.');
  if (parts.length !== 3) {
    return null;
  }
  try {
    const payload = JSON.parse(decodeBase64Url(parts[1].replace(/=+$/, '')) || 'null');
    return payload && Number.isInteger(payload.o) ? payload.o : null;
  } catch (err) {
    return null;
  }
}

/** 签到: the scanned token and, when allowed, the position. Resolves to the visit view. */
function checkIn(orderId, token, location, { idempotencyKey } = {}) {
  const body = { token: String(token).trim() };
  const position = locationBody(location);
  if (position) {
    body.location = position;
  }
  return post(`/orders/${orderId}/check-in`, body, { idempotent: true, idempotencyKey }).then(toVisitView);
}

/** 签退: with a scanned token, or only the position ("直接签退"). */
function checkOut(visitId, { token, location } = {}, { idempotencyKey } = {}) {
  const body = {};
  if (token) {
    body.token = String(token).trim();
  }
  const position = locationBody(location);
  if (position) {
    body.location = position;
  }
  return post(`/visits/${visitId}/check-out`, body, { idempotent: true, idempotencyKey }).then(toVisitView);
}

/** My visits (of a year, or the latest), newest first. */
function listVisits(year) {
  return get('/visits', year ? { year } : undefined).then((body) => ((body && body.items) || []).map(toVisitView));
}

/** The visits of one order (the expert's own), newest first. */
function visitsOfOrder(orderId) {
  return listVisits().then((items) => items.filter((visit) => String(visit.orderId) === String(orderId)));
}

/** My visit still open (checked in, not out), on one order or on any; null when none. */
function openVisit(orderId) {
  return listVisits().then((items) => items.find((visit) => visit.isOpen
    && (orderId === undefined || orderId === null || orderId === '' || String(visit.orderId) === String(orderId))) || null);
}

/** The PUT /visits/<id>/log body for the log form. */
function toLogBody(form) {
  return {
    content: (form.content || '').trim(),
    problems_solved: Number(form.problemsSolved) || 0,
    problems: (form.problems || '').trim(),
    people_served: Number(form.peopleServed) || 0,
    people_trained: Number(form.peopleTrained) || 0,
    photos: (form.photos || []).filter((photo) => photo.id).map((photo) => String(photo.id)),
  };
}

// The API's field names → the log form's, for 422 messages next to the right field.
const LOG_FIELDS = Object.freeze({
  content: 'content',
  problems_solved: 'problemsSolved',
  problems: 'problems',
  people_served: 'peopleServed',
  people_trained: 'peopleTrained',
  photos: 'photos',
});

function logErrorsFrom(apiFields) {
  const fields = {};
  Object.keys(apiFields || {}).forEach((path) => {
    const name = LOG_FIELDS[path.split('.')[0]];
    if (name && !fields[name]) {
      fields[name] = apiFields[path];
    }
  });
  return fields;
}

/**
 * 服务日志. PUT, so a repeat simply overwrites; the key still lets the
 * server answer a retry of a submit that did arrive with the same reply.
 */
function writeLog(visitId, form, { idempotencyKey } = {}) {
  // request.js adds a key by itself only to POSTs; a PUT gets one here, and
  // a failed send hands it back on the error for the retry.
  return put(`/visits/${visitId}/log`, toLogBody(form), { idempotencyKey: idempotencyKey || newIdempotencyKey() });
}

function loadLogDraft(visitId) {
  try {
    const stored = wx.getStorageSync(LOG_DRAFT_PREFIX + visitId);
    if (stored && typeof stored === 'object' && stored.version === LOG_DRAFT_VERSION) {
      const copy = Object.assign({}, stored);
      delete copy.version;
      return copy;
    }
  } catch (err) {
    // An unreadable draft is the same as none.
  }
  return {};
}

function saveLogDraft(visitId, draft) {
  try {
    wx.setStorageSync(LOG_DRAFT_PREFIX + visitId, Object.assign({}, draft, { version: LOG_DRAFT_VERSION }));
  } catch (err) {
    // Storage full: the form still works, only the safety net is gone.
  }
}

function clearLogDraft(visitId) {
  try {
    wx.removeStorageSync(LOG_DRAFT_PREFIX + visitId);
  } catch (err) {
    // Nothing to recover.
  }
}

module.exports = {
  LOG_DRAFT_PREFIX,
  toVisitView,
  durationText,
  distanceText,
  describeScanFailure,
  orderIdOfCode,
  checkIn,
  checkOut,
  listVisits,
  visitsOfOrder,
  openVisit,
  toLogBody,
  logErrorsFrom,
  writeLog,
  loadLogDraft,
  saveLogDraft,
  clearLogDraft,
};
