/**
 * The expert's work: assignments, the 揭榜 board, accepting and declining,
 * the year's hours and the certificate. Pages get view-ready objects
 * (labels, 12月3日 times, which buttons to show); the API's names stay here.
 */

const config = require('../config/index');
const storage = require('../utils/storage');
const { ApiError, NETWORK_ERROR_MESSAGE, get, post } = require('./request');
const { ORDER_STATUS, statusLabel, statusStyle } = require('../constants/order-status');
const { formatDateTime, formatWindow } = require('../utils/format');

const S = ORDER_STATUS;
// Once the expert has agreed to come the server shows the real phone number and place.
const ENGAGED = Object.freeze([S.SCHEDULED, S.IN_SERVICE, S.SERVICED, S.CLOSED]);
// The states in which the requester's phone shows a check-in code.
const ON_SITE = Object.freeze([S.SCHEDULED, S.IN_SERVICE]);
const DOWNLOAD_TIMEOUT_MS = 60000;
const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

function isMasked(phone) {
  return !phone || phone.indexOf('*') >= 0;
}

/** The order as the expert's pages show it. */
function toTaskView(order) {
  const style = statusStyle(order.status);
  const items = order.items || [];
  const actions = Array.isArray(order.actions) ? order.actions : [];
  const engaged = ENGAGED.indexOf(order.status) >= 0;
  const hasPlace = typeof order.latitude === 'number' && typeof order.longitude === 'number';
  const phone = order.contact_phone || '';
  return {
    id: order.id,
    status: order.status,
    statusLabel: statusLabel(order.status),
    statusColor: style.color,
    statusBackground: style.background,
    itemsText: items.map((item) => item.name).join('、') || '服务需求',
    description: order.description || '',
    regionName: order.region_name || '',
    address: order.address || '',
    latitude: hasPlace ? order.latitude : null,
    longitude: hasPlace ? order.longitude : null,
    canNavigate: hasPlace,
    windowText: formatWindow(order.window_start, order.window_end),
    contactName: order.contact_name || '',
    contactPhone: phone,
    // The server masks the number until the expert has accepted; a masked one cannot be dialled.
    canCall: engaged && !isMasked(phone),
    onBehalfOf: order.on_behalf_of || '',
    photoCount: Array.isArray(order.photo_ids) ? order.photo_ids.length : 0,
    agreedVisitText: order.agreed_visit_at ? formatDateTime(order.agreed_visit_at) : '',
    claimDeadline: order.claim_deadline || '',
    actions,
    canAccept: actions.indexOf('expert_accept') >= 0,
    canDecline: actions.indexOf('decline') >= 0,
    canClaim: actions.indexOf('claim') >= 0,
    canScan: ON_SITE.indexOf(order.status) >= 0,
    inService: order.status === S.IN_SERVICE,
    isAnswerNeeded: actions.indexOf('expert_accept') >= 0 || actions.indexOf('decline') >= 0,
  };
}

/** My assignments grouped as the tasks page shows them: {answer, onSite, done, total, nextCursor}. */
function listTasks({ cursor } = {}) {
  const query = { limit: 50 };
  if (cursor) {
    query.cursor = cursor;
  }
  return get('/orders', query).then((body) => {
    const tasks = ((body && body.items) || []).map(toTaskView);
    return {
      answer: tasks.filter((task) => task.isAnswerNeeded),
      onSite: tasks.filter((task) => !task.isAnswerNeeded && task.canScan),
      done: tasks.filter((task) => !task.isAnswerNeeded && !task.canScan),
      total: tasks.length,
      nextCursor: (body && body.next_cursor) || null,
    };
  });
}

function getTask(id) {
  return get(`/orders/${id}`).then(toTaskView);
}

/** A picked date and time as the API's visit_at, in China time with its offset. */
function visitAtOf(day, time) {
  if (!day) {
    return null;
  }
  return `${day}T${time || '09:00'}:00+08:00`;
}

/** 接单, with the visit time agreed with the requester when there is one. */
function acceptTask(id, { day, time } = {}) {
  const body = {};
  const visitAt = visitAtOf(day, time);
  if (visitAt) {
    body.visit_at = visitAt;
  }
  return post(`/orders/${id}/expert-accept`, body, { idempotent: true }).then(toTaskView);
}

/** 谢绝, with the reason the dispatcher reads. */
function declineTask(id, reason) {
  return post(`/orders/${id}/decline`, { reason: reason.trim() }, { idempotent: true }).then(toTaskView);
}

/** How long until the claim deadline, in words: '还剩 2 天 3 小时', '还剩 25 分钟', '已截止'. */
function countdownText(deadline, now) {
  const ms = Date.parse(deadline);
  if (Number.isNaN(ms)) {
    return '';
  }
  const left = ms - (now || new Date()).getTime();
  if (left <= 0) {
    return '已截止';
  }
  const days = Math.floor(left / DAY_MS);
  const hours = Math.floor((left % DAY_MS) / HOUR_MS);
  const minutes = Math.max(1, Math.floor((left % HOUR_MS) / MINUTE_MS));
  if (days) {
    return hours ? `还剩 ${days} 天 ${hours} 小时` : `还剩 ${days} 天`;
  }
  if (hours) {
    return `还剩 ${hours} 小时 ${minutes} 分钟`;
  }
  return `还剩 ${minutes} 分钟`;
}

/** A board card, its countdown computed against `now`. */
function toBoardCard(order, now) {
  const task = toTaskView(order);
  const countdown = countdownText(task.claimDeadline, now);
  return Object.assign(task, {
    countdownText: countdown,
    deadlineText: task.claimDeadline ? formatDateTime(task.claimDeadline, now) : '',
    closed: countdown === '已截止',
    urgent: Date.parse(task.claimDeadline) - (now || new Date()).getTime() < DAY_MS,
  });
}

/**
 * The 揭榜 board: {items, orders, nextCursor}. `orders` are the API's own, for
 * the page to rebuild the cards with toBoardCard as the countdown ticks.
 */
function board({ cursor } = {}) {
  const query = { limit: 50 };
  if (cursor) {
    query.cursor = cursor;
  }
  return get('/board', query).then((body) => {
    const orders = (body && body.items) || [];
    return {
      items: orders.map((order) => toBoardCard(order)),
      orders,
      nextCursor: (body && body.next_cursor) || null,
    };
  });
}

/** 揭榜. A 409 means someone else was faster (or the deadline passed); the page says which. */
function claim(id) {
  return post(`/orders/${id}/claim`, {}, { idempotent: true }).then(toTaskView);
}

function round1(value) {
  return Math.round((Number(value) || 0) * 10) / 10;
}

/** The year's hours as the hours page shows them. */
function toLedgerView(body) {
  const target = body.target_days || 10;
  const days = body.service_days || 0;
  const progress = Math.max(0, Math.min(1, typeof body.progress === 'number' ? body.progress : days / target));
  return {
    year: body.year,
    serviceDays: days,
    targetDays: target,
    daysLeft: Math.max(0, target - days),
    progressPercent: Math.round(progress * 100),
    hoursText: String(round1(body.hours)),
    pendingHoursText: String(round1(body.pending_hours)),
    hasPending: round1(body.pending_hours) > 0,
    met: Boolean(body.continuing_education_met),
    dayRule: body.day_rule || '',
    countedVisits: body.visits || 0,
  };
}

function ledger(year) {
  return get('/ledger/me', year ? { year } : undefined).then(toLedgerView);
}

const DOWNLOAD_MESSAGES = Object.freeze({
  401: '登录已失效，请重新进入小程序',
  403: '只有专家本人可以开具证明',
  404: '请先完善专家资料',
  422: '这一年不能开具证明',
  429: '操作太频繁，请稍后再试',
});

// A refused download still writes the JSON error body to the temp file:
// read its Chinese message when the file system lets us.
function messageFromFile(path) {
  try {
    const text = wx.getFileSystemManager().readFileSync(path, 'utf8');
    const error = JSON.parse(text).error || {};
    if (error.fields && typeof error.fields === 'object') {
      const first = Object.keys(error.fields).map((key) => error.fields[key])[0];
      if (first) {
        return first;
      }
    }
    return /[\u4e00-\u9fff]/.test(error.message || '') ? error.message : '';
  } catch (err) {
    return '';
  }
}

function downloadOnce(year) {
  const token = storage.getAccessToken();
  const header = token ? { Authorization: `Bearer ${token}` } : {};
  return new Promise((resolve, reject) => {
    // wx.downloadFile, not wx.request: the answer is a PDF that must land in
    // a file for wx.openDocument, and request.js speaks JSON.
    wx.downloadFile({
      url: `${config.apiBaseUrl()}/certificates/${year}`,
      header,
      timeout: DOWNLOAD_TIMEOUT_MS,
      success: (res) => resolve({ statusCode: res.statusCode, path: res.tempFilePath, sentToken: token }),
      fail: (err) => reject(new ApiError({
        code: 'network_error',
        message: NETWORK_ERROR_MESSAGE,
        detail: (err && err.errMsg) || '',
      })),
    });
  });
}

function openPdf(path) {
  return new Promise((resolve, reject) => {
    wx.openDocument({
      filePath: path,
      fileType: 'pdf',
      showMenu: true,
      success: () => resolve(path),
      fail: (err) => reject(new ApiError({
        code: 'open_failed',
        message: '证明已下载，但手机没能打开，请稍后重试',
        detail: (err && err.errMsg) || '',
      })),
    });
  });
}

/** Download the year's certificate (PDF) and open it; one re-login on 401, like request.js. */
function downloadCertificate(year) {
  return downloadOnce(year)
    .then((res) => {
      if (res.statusCode === 401) {
        const current = storage.getAccessToken();
        const renew = current && current !== res.sentToken
          ? Promise.resolve()
          : require('./auth').renewSession();
        return renew.then(() => downloadOnce(year));
      }
      return res;
    })
    .then((res) => {
      if (res.statusCode >= 200 && res.statusCode < 300) {
        return openPdf(res.path);
      }
      throw new ApiError({
        code: `http_${res.statusCode}`,
        message: messageFromFile(res.path) || DOWNLOAD_MESSAGES[res.statusCode] || '证明没有开出来，请稍后重试',
        status: res.statusCode,
      });
    });
}

module.exports = {
  toTaskView,
  listTasks,
  getTask,
  visitAtOf,
  acceptTask,
  declineTask,
  countdownText,
  toBoardCard,
  board,
  claim,
  toLedgerView,
  ledger,
  downloadCertificate,
};
