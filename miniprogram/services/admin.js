/**
 * The admin's work: the region's order queue and the actions on one order
 * (受理, 退回, 不予受理, 派单, 发布揭榜, 确认揭榜, 重新发榜, 撤回, 办结), ranked
 * dispatch recommendations, flagged visits to review, follow-ups (回访) and
 * experts waiting to be verified. Pages get view-ready objects; the API's
 * field names stay in this file.
 */

const { get, post } = require('./request');
const orders = require('./orders');
const { formatDateTime } = require('../utils/format');

// The queue's tabs: each is one status filter of GET /orders.
const QUEUE_TABS = Object.freeze([
  Object.freeze({ key: 'submitted', label: '待受理', status: 'submitted' }),
  Object.freeze({ key: 'accepted', label: '待派单', status: 'accepted' }),
  Object.freeze({ key: 'published', label: '揭榜中', status: 'published' }),
  Object.freeze({ key: 'claimed', label: '待确认', status: 'claimed' }),
]);

// Order actions an admin may take, in the order their buttons are shown.
const ADMIN_ACTIONS = Object.freeze([
  'accept', 'dispatch', 'publish', 'confirm_claim', 'reopen_claim', 'return', 'reject', 'recall', 'admin_close',
]);

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** How long an order has waited: '刚刚', '已等 5 小时', '已等 2 天 3 小时'. */
function waitingText(since, now) {
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) {
    return '';
  }
  const waited = Math.max(0, (now || new Date()).getTime() - ms);
  if (waited < HOUR_MS) {
    return '刚刚提交';
  }
  const days = Math.floor(waited / DAY_MS);
  const hours = Math.floor((waited % DAY_MS) / HOUR_MS);
  if (!days) {
    return `已等 ${hours} 小时`;
  }
  return hours ? `已等 ${days} 天 ${hours} 小时` : `已等 ${days} 天`;
}

/** Whether a deadline (ISO timestamp) has passed. */
function isOverdue(dueAt, now) {
  const ms = Date.parse(dueAt);
  return !Number.isNaN(ms) && ms < (now || new Date()).getTime();
}

/** Minutes as '2 小时 15 分钟'. */
function durationText(minutes) {
  if (minutes === null || minutes === undefined || Number.isNaN(Number(minutes))) {
    return '未签退';
  }
  const total = Math.round(Number(minutes));
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  if (!hours) {
    return `${rest} 分钟`;
  }
  return rest ? `${hours} 小时 ${rest} 分钟` : `${hours} 小时`;
}

/** Metres as '850 米' or '3.2 公里'. */
function metresText(metres) {
  if (metres === null || metres === undefined) {
    return '';
  }
  const value = Number(metres);
  return value < 1000 ? `${Math.round(value)} 米` : `${(value / 1000).toFixed(1)} 公里`;
}

/** Kilometres as '12.3 公里' (under 1 km in metres). */
function kilometresText(km) {
  if (km === null || km === undefined) {
    return '';
  }
  return metresText(Number(km) * 1000);
}

function scoreText(score) {
  const value = Number(score);
  return Number.isNaN(value) ? '' : String(Math.round(value * 10) / 10);
}

// --------------------------------------------------------------------------- orders

/** One queue card: village, items, how long it has waited and whether it is overdue. */
function toQueueCard(order, now) {
  const view = orders.toOrderView(order);
  return {
    id: view.id,
    status: view.status,
    statusLabel: view.statusLabel,
    statusColor: view.statusColor,
    statusBackground: view.statusBackground,
    villageText: view.regionName || '未知村',
    itemsText: view.itemsText,
    description: view.description,
    waitingText: waitingText(order.submitted_at, now),
    submittedText: view.submittedText,
    overdue: isOverdue(order.due_at, now),
    dueText: formatDateTime(order.due_at),
  };
}

/** One page of the region's queue for a status: {items, nextCursor}. */
function listQueue({ status, cursor, limit = 20 } = {}) {
  const query = { status, limit };
  if (cursor) {
    query.cursor = cursor;
  }
  return get('/orders', query).then((body) => ({
    items: ((body && body.items) || []).map((order) => toQueueCard(order)),
    nextCursor: (body && body.next_cursor) || null,
  }));
}

/** The order as the admin's detail page shows it: the requester's view plus deadlines and admin buttons. */
function toAdminOrderView(order, now) {
  const view = orders.toOrderView(order);
  const can = {};
  ADMIN_ACTIONS.forEach((action) => {
    can[action] = view.actions.indexOf(action) >= 0;
  });
  return Object.assign(view, {
    can,
    hasActions: ADMIN_ACTIONS.some((action) => can[action]),
    waitingText: waitingText(order.submitted_at, now),
    overdue: isOverdue(order.due_at, now),
    dueText: formatDateTime(order.due_at),
    claimDeadlineText: formatDateTime(order.claim_deadline),
    expertId: order.expert_id || null,
    teamId: order.team_id || null,
  });
}

function getOrder(id) {
  return get(`/orders/${id}`).then((order) => toAdminOrderView(order));
}

function act(id, path, body) {
  return post(`/orders/${id}/${path}`, body || {}, { idempotent: true }).then((order) => toAdminOrderView(order));
}

/** 受理. */
function accept(id) {
  return act(id, 'accept');
}

/** 退回补充, with the reason the requester will read. */
function returnOrder(id, reason) {
  return act(id, 'return', { reason: reason.trim() });
}

/** 不予受理, with the reason. */
function reject(id, reason) {
  return act(id, 'reject', { reason: reason.trim() });
}

/** 派单 to one expert ({expertId}) or a team ({teamId}), with an optional note. */
function dispatch(id, { expertId, teamId, note } = {}) {
  const body = expertId ? { expert_id: Number(expertId) } : { team_id: Number(teamId) };
  const text = (note || '').trim();
  if (text) {
    body.note = text;
  }
  return act(id, 'dispatch', body);
}

/** 发布揭榜; a deadline day 'YYYY-MM-DD' closes at 18:00 Beijing time, none means the server's default. */
function publish(id, deadlineDay) {
  const body = deadlineDay ? { claim_deadline: `${deadlineDay}T18:00:00+08:00` } : {};
  return act(id, 'publish', body);
}

/** 确认揭榜. */
function confirmClaim(id) {
  return act(id, 'claim/confirm');
}

/** 不确认，重新发榜. */
function reopenClaim(id, reason) {
  return act(id, 'claim/reopen', { reason: reason.trim() });
}

/** 撤回 a dispatched or published order to dispatch it again. */
function recall(id, reason) {
  return act(id, 'recall', { reason: reason.trim() });
}

/** 办结 by the admin, with a note. */
function closeOrder(id, reason) {
  return act(id, 'close', { reason: reason.trim() });
}

// --------------------------------------------------------------------------- recommendations

function toReasonChip(reason, index) {
  const points = Number(reason.points) || 0;
  return {
    key: `${index}`,
    label: reason.label || reason.text || '',
    negative: points < 0,
  };
}

function toExpertCard(expert, index) {
  const titleParts = [expert.title, expert.title_level_label && expert.title_level_label !== expert.title
    ? `（${expert.title_level_label}）` : ''];
  return {
    rank: index + 1,
    expertId: expert.expert_id,
    name: expert.name || '',
    titleText: titleParts.join(''),
    employer: expert.employer || '',
    fieldLabel: expert.field_label || '',
    distanceText: kilometresText(expert.distance_km),
    scoreText: scoreText(expert.score),
    preferred: Boolean(expert.preferred),
    reasons: (expert.reasons || []).map(toReasonChip),
  };
}

function toTeamCard(team, index) {
  const members = (team.members || []).map(toExpertCard);
  return {
    rank: index + 1,
    teamId: team.team_id,
    name: team.name || '',
    scoreText: scoreText(team.score),
    reasons: (team.reasons || []).map(toReasonChip),
    membersText: members.map((member) => member.name).join('、'),
  };
}

/** Ranked experts (and teams when the order needs several) with their reasons. */
function getRecommendations(orderId) {
  return get(`/orders/${orderId}/recommendations`).then((body) => ({
    needsTeam: Boolean(body && body.needs_team),
    experts: ((body && body.experts) || []).map(toExpertCard),
    teams: ((body && body.teams) || []).map(toTeamCard),
  }));
}

// --------------------------------------------------------------------------- flagged visits

function toFlaggedVisit(visit) {
  const distances = [];
  if (visit.in_distance_m !== null && visit.in_distance_m !== undefined) {
    distances.push(`签到距服务地点 ${metresText(visit.in_distance_m)}`);
  }
  if (visit.out_distance_m !== null && visit.out_distance_m !== undefined) {
    distances.push(`签退距服务地点 ${metresText(visit.out_distance_m)}`);
  }
  return {
    id: visit.id,
    orderId: visit.order_id,
    expertName: visit.expert_name || '专家',
    checkInText: formatDateTime(visit.check_in_at),
    checkOutText: formatDateTime(visit.check_out_at),
    durationText: durationText(visit.duration_minutes),
    distanceText: distances.length ? distances.join('，') : '没有定位',
    offline: visit.source === 'offline',
    flagLabels: (visit.flag_labels || []).slice(),
  };
}

/** The first of a queue's rows, as `toItem` shows them, and how many are waiting in all. */
function toQueue(body, toItem) {
  const items = ((body && body.items) || []).map(toItem);
  const total = body && Number.isInteger(body.total) ? body.total : items.length;
  return { items, total: Math.max(total, items.length) };
}

/** The region's visits waiting for review: the oldest first, and how many there are in all. */
function listFlaggedVisits() {
  return get('/visits/flagged').then((body) => toQueue(body, toFlaggedVisit));
}

/** 通过 (approve) or 不通过 a flagged visit; the reason is kept. */
function reviewVisit(id, approve, reason) {
  return post(`/visits/${id}/review`, { approve: Boolean(approve), reason: reason.trim() }, { idempotent: true });
}

// --------------------------------------------------------------------------- follow-ups

function toFollowUp(item) {
  return {
    id: item.id,
    orderId: item.order_id,
    visitId: item.visit_id,
    reasonLabel: item.reason_label || (item.reason === 'low_rating' ? '低分评价' : '逾期未评价'),
    lowRating: item.reason === 'low_rating',
    createdText: formatDateTime(item.created_at),
  };
}

/** Open follow-ups of the region. */
function listFollowUps() {
  return get('/follow-ups', { status: 'open' }).then((body) => toQueue(body, toFollowUp));
}

/** Record what the follow-up found, and whether the visit's hours count (认定) or not. */
function closeFollowUp(id, outcome, approve) {
  return post(`/follow-ups/${id}/close`, { outcome: outcome.trim(), approve: Boolean(approve) }, { idempotent: true });
}

// --------------------------------------------------------------------------- experts to verify

function toPendingExpert(expert) {
  const honours = Array.isArray(expert.honours) ? expert.honours : [];
  const specialties = Array.isArray(expert.specialties) ? expert.specialties : [];
  return {
    id: expert.id,
    name: expert.name || '',
    titleText: [expert.title, expert.title_level_label ? `（${expert.title_level_label}）` : ''].join(''),
    employer: expert.employer || '',
    fieldName: expert.field_name || expert.field || '',
    regionName: expert.region_name || '',
    specialtiesText: specialties.join('、'),
    honoursText: honours.join('、'),
    retired: Boolean(expert.retired),
    phone: expert.phone_masked || '',
    submittedText: formatDateTime(expert.created_at),
  };
}

/** Experts of the region waiting to be verified: {items, nextCursor}. */
function listPendingExperts({ cursor } = {}) {
  const query = { status: 'pending', limit: 20 };
  if (cursor) {
    query.cursor = cursor;
  }
  return get('/experts', query).then((body) => ({
    items: ((body && body.items) || []).map(toPendingExpert),
    nextCursor: (body && body.next_cursor) || null,
  }));
}

/** 审核通过. */
function verifyExpert(id) {
  return post(`/experts/${id}/verify`, {}, { idempotent: true });
}

/** 审核不通过, with the reason the expert will read. */
function rejectExpert(id, reason) {
  return post(`/experts/${id}/reject`, { reason: reason.trim() }, { idempotent: true });
}

module.exports = {
  QUEUE_TABS,
  waitingText,
  isOverdue,
  durationText,
  metresText,
  toQueueCard,
  toAdminOrderView,
  listQueue,
  getOrder,
  accept,
  returnOrder,
  reject,
  dispatch,
  publish,
  confirmClaim,
  reopenClaim,
  recall,
  closeOrder,
  getRecommendations,
  listFlaggedVisits,
  reviewVisit,
  listFollowUps,
  closeFollowUp,
  listPendingExperts,
  verifyExpert,
  rejectExpert,
};
