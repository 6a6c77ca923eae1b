/**
 * The requester's orders: place, list, read, resubmit, cancel, confirm
 * solved, ask for another visit. Pages get
 * view-ready objects (labels, 12月3日 dates, badge colours) and speak in
 * form terms; the API's field names stay in this file.
 */

const { get, post } = require('./request');
const { statusLabel, statusStyle } = require('../constants/order-status');
const { roleLabel } = require('../constants/roles');
const { formatDateTime, formatWindow } = require('../utils/format');

const HAN = /[\u4e00-\u9fff]/;

// Timeline actions the backend records without a label of its own.
const ACTION_FALLBACK_LABELS = Object.freeze({
  submit: '提交需求',
});

// What the reason of a timeline step is called, by action.
const REASON_TITLES = Object.freeze({
  return: '退回原因',
  reject: '不予受理原因',
  cancel: '撤销原因',
  decline: '专家谢绝原因',
  recall: '撤回原因',
  reopen_claim: '重新发榜原因',
  request_revisit: '再次上门原因',
  admin_close: '办结说明',
});

// While the expert is coming or there, the requester can show the check-in code.
const CODE_STATUSES = Object.freeze(['scheduled', 'in_service', 'serviced']);

// The admin's reason is what the requester must act on: shown in red.
const HIGHLIGHTED_ACTIONS = Object.freeze(['return', 'reject']);

const BANNER_TITLES = Object.freeze({
  returned: '退回原因',
  rejected: '不予受理原因',
});

// The API's field names → the order form's, for showing 422 messages next to the right field.
const FORM_FIELDS = Object.freeze({
  items: 'items',
  description: 'description',
  region_code: 'region',
  address: 'address',
  latitude: 'location',
  longitude: 'location',
  window_start: 'windowStart',
  window_end: 'windowEnd',
  contact_phone: 'contactPhone',
  contact_name: 'contactName',
  on_behalf_of: 'onBehalfOf',
  photos: 'photos',
});

function actorText(role) {
  if (role === 'system') {
    return '系统';
  }
  return role ? roleLabel(role) : '';
}

function toTimelineEntry(entry, index, all) {
  const label = typeof entry.action_label === 'string' && HAN.test(entry.action_label)
    ? entry.action_label
    : ACTION_FALLBACK_LABELS[entry.action] || '状态更新';
  const newStatus = entry.to_status ? statusLabel(entry.to_status) : '';
  return {
    key: `${index}-${entry.action}`,
    title: label,
    // 「退回补充 → 退回补充」 says nothing: the new state only when it adds something.
    statusLabel: newStatus === label ? '' : newStatus,
    timeText: formatDateTime(entry.at),
    actorText: actorText(entry.actor_role),
    reason: entry.reason || '',
    reasonTitle: REASON_TITLES[entry.action] || '说明',
    highlight: HIGHLIGHTED_ACTIONS.indexOf(entry.action) >= 0 && Boolean(entry.reason),
    isLatest: index === all.length - 1,
  };
}

/** The order as the pages show it. */
function toOrderView(order) {
  const style = statusStyle(order.status);
  const items = (order.items || []).map((item) => ({
    code: item.code,
    name: item.name,
    categoryName: item.category || '',
  }));
  const actions = Array.isArray(order.actions) ? order.actions : [];
  return {
    id: order.id,
    status: order.status,
    version: order.version === undefined ? null : order.version,
    statusLabel: statusLabel(order.status),
    statusColor: style.color,
    statusBackground: style.background,
    items,
    itemsText: items.map((item) => item.name).join('、'),
    description: order.description || '',
    regionCode: order.region_code || '',
    regionName: order.region_name || '',
    address: order.address || '',
    latitude: order.latitude === undefined ? null : order.latitude,
    longitude: order.longitude === undefined ? null : order.longitude,
    windowStart: order.window_start || '',
    windowEnd: order.window_end || '',
    windowText: formatWindow(order.window_start, order.window_end),
    contactName: order.contact_name || '',
    contactPhone: order.contact_phone || '',
    onBehalfOf: order.on_behalf_of || '',
    photoIds: Array.isArray(order.photo_ids) ? order.photo_ids.map(String) : [],
    submittedText: formatDateTime(order.submitted_at),
    lastReason: order.last_reason || '',
    // The reason the requester must see first: why it came back or was turned down.
    bannerTitle: BANNER_TITLES[order.status] || '',
    isReturned: order.status === 'returned',
    actions,
    canResubmit: actions.indexOf('resubmit') >= 0,
    canCancel: actions.indexOf('cancel') >= 0,
    canConfirmSolved: actions.indexOf('confirm_solved') >= 0,
    canRequestRevisit: actions.indexOf('request_revisit') >= 0,
    canShowCode: CODE_STATUSES.indexOf(order.status) >= 0,
    // Who is coming and when, once an expert has accepted.
    expertName: order.expert_name || (order.expert && order.expert.name) || '',
    expertTitle: (order.expert && order.expert.title) || order.expert_title || '',
    agreedVisitText: formatDateTime(order.agreed_visit_at),
    timeline: Array.isArray(order.timeline) ? order.timeline.map(toTimelineEntry) : [],
  };
}

function photoIds(form) {
  return (form.photos || []).filter((photo) => photo.id).map((photo) => String(photo.id));
}

/** The POST /orders body for a filled-in order form. */
function toCreateBody(form) {
  const body = {
    items: (form.items || []).map((item) => item.code),
    description: (form.description || '').trim(),
    region_code: form.regionCode,
    address: (form.address || '').trim(),
    latitude: form.latitude,
    longitude: form.longitude,
    window_start: form.windowStart,
    window_end: form.windowEnd,
    contact_phone: (form.contactPhone || '').trim(),
    photos: photoIds(form),
  };
  const contactName = (form.contactName || '').trim();
  if (contactName) {
    body.contact_name = contactName;
  }
  if (form.onBehalf) {
    body.on_behalf_of = (form.onBehalfOf || '').trim();
  }
  return body;
}

/** The POST /orders/<id>/resubmit body: only what differs from the order as it was returned. */
function toEditBody(order, form) {
  const body = {};
  const description = (form.description || '').trim();
  if (description !== order.description) {
    body.description = description;
  }
  const address = (form.address || '').trim();
  if (address !== order.address) {
    body.address = address;
  }
  if (form.latitude !== order.latitude || form.longitude !== order.longitude) {
    body.latitude = form.latitude;
    body.longitude = form.longitude;
  }
  if (form.windowStart !== order.windowStart) {
    body.window_start = form.windowStart;
  }
  if (form.windowEnd !== order.windowEnd) {
    body.window_end = form.windowEnd;
  }
  const phone = (form.contactPhone || '').trim();
  if (phone !== order.contactPhone) {
    body.contact_phone = phone;
  }
  const photos = photoIds(form);
  if (photos.join(',') !== order.photoIds.join(',')) {
    body.photos = photos;
  }
  return body;
}

/**
 * A 422's `fields` in form terms: {fields: {description: '…'}, other: ['…']}
 * where `other` holds messages that belong to no single field.
 */
function formErrorsFrom(apiFields) {
  const fields = {};
  const other = [];
  Object.keys(apiFields || {}).forEach((path) => {
    const formField = FORM_FIELDS[path.split('.')[0]];
    const message = apiFields[path];
    if (formField) {
      if (!fields[formField]) {
        fields[formField] = message;
      }
    } else {
      other.push(message);
    }
  });
  return { fields, other };
}

/** 基层下单. Pass the key of a send lost to the network so the server can recognise a repeat. */
function placeOrder(form, { idempotencyKey } = {}) {
  return post('/orders', toCreateBody(form), { idempotent: true, idempotencyKey })
    .then(toOrderView);
}

/** One page of my orders, newest first: {items, nextCursor}. */
function listOrders({ cursor, status, limit = 10 } = {}) {
  const query = { limit };
  if (cursor) {
    query.cursor = cursor;
  }
  if (status) {
    query.status = status;
  }
  return get('/orders', query).then((body) => ({
    items: ((body && body.items) || []).map(toOrderView),
    nextCursor: (body && body.next_cursor) || null,
  }));
}

/** One order with its timeline and what I may do with it now. */
function getOrder(id) {
  return get(`/orders/${id}`).then(toOrderView);
}

/** Send a returned order back with the changes (as built by toEditBody). */
function resubmit(id, changes, { idempotencyKey } = {}) {
  return post(`/orders/${id}/resubmit`, changes, { idempotent: true, idempotencyKey })
    .then(toOrderView);
}

/** Withdraw an order before anyone has come; the reason is required. */
function cancel(id, reason) {
  return post(`/orders/${id}/cancel`, { reason: reason.trim() }, { idempotent: true })
    .then(toOrderView);
}

/** The requester confirms the problem is solved: the order is closed (办结). */
function confirmSolved(id) {
  return post(`/orders/${id}/confirm-solved`, {}, { idempotent: true }).then(toOrderView);
}

/** Ask for the expert to come again; the reason (2–300 characters) goes to the expert and the office. */
function requestRevisit(id, reason) {
  return post(`/orders/${id}/request-revisit`, { reason: reason.trim() }, { idempotent: true })
    .then(toOrderView);
}

module.exports = {
  CODE_STATUSES,
  toOrderView,
  toCreateBody,
  toEditBody,
  formErrorsFrom,
  placeOrder,
  listOrders,
  getOrder,
  resubmit,
  cancel,
  confirmSolved,
  requestRevisit,
};
