/**
 * 基层反向评价: the requester rates each visit after the expert checks out,
 * and sees which visits still wait for a rating. Pages get view-ready
 * objects; the API's field names stay in this file.
 */

const { get, post, put } = require('./request');
const { formatDateTime } = require('../utils/format');

const SOLVED_OPTIONS = Object.freeze([
  { value: 'solved', label: '已解决' },
  { value: 'partly', label: '部分解决' },
  { value: 'unsolved', label: '未解决' },
]);

const SOLVED_LABELS = Object.freeze({ solved: '已解决', partly: '部分解决', unsolved: '未解决' });

function toRatingView(rating) {
  if (!rating) {
    return null;
  }
  return {
    visitId: rating.visit_id,
    overall: rating.overall,
    attitude: rating.attitude,
    expertise: rating.expertise,
    solved: rating.solved,
    solvedLabel: rating.solved_label || SOLVED_LABELS[rating.solved] || '',
    comment: rating.comment || '',
  };
}

function durationText(minutes) {
  if (typeof minutes !== 'number' || minutes <= 0) {
    return '';
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) {
    return `${rest} 分钟`;
  }
  return rest ? `${hours} 小时 ${rest} 分钟` : `${hours} 小时`;
}

function toVisitView(visit) {
  const rating = toRatingView(visit.rating);
  let ratingText = '';
  if (rating) {
    ratingText = `已评价 ${rating.overall} 星 · ${rating.solvedLabel}`;
  } else if (visit.can_rate) {
    ratingText = '还没有评价';
  } else if (!visit.check_out_at) {
    ratingText = '服务中';
  }
  return {
    id: visit.id,
    expertName: visit.expert_name || '',
    checkInText: formatDateTime(visit.check_in_at),
    durationText: durationText(visit.duration_minutes),
    open: !visit.check_out_at,
    rating,
    canRate: Boolean(visit.can_rate),
    ratingText,
  };
}

/** The order's visits with their rating status, oldest first. */
function listVisits(orderId) {
  return get(`/orders/${orderId}/visits`).then((body) => (Array.isArray(body) ? body : []).map(toVisitView));
}

function toRatingBody(form) {
  return {
    overall: form.overall,
    attitude: form.attitude,
    expertise: form.expertise,
    solved: form.solved,
    comment: (form.comment || '').trim(),
    photos: (form.photos || []).filter((photo) => photo.id).map((photo) => String(photo.id)),
  };
}

/**
 * Rate a visit. A rating the server already has (a send whose answer was
 * lost to the network, then 提交 again) is replaced instead, as the server
 * allows for 24 hours.
 */
function rateVisit(visitId, form) {
  const body = toRatingBody(form);
  return post(`/visits/${visitId}/rating`, body).then(toRatingView, (error) => {
    if (error.code === 'already_rated') {
      return put(`/visits/${visitId}/rating`, body).then(toRatingView);
    }
    throw error;
  });
}

module.exports = {
  SOLVED_OPTIONS,
  SOLVED_LABELS,
  toRatingBody,
  listVisits,
  rateVisit,
};
