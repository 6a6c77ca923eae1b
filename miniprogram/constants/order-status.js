/**
 * Order statuses and their Chinese labels. The values and labels equal the
 * backend's OrderStatus / STATUS_LABELS (backend/domain/order_flow.py);
 * tests/miniprogram/order-status.test.js reads that file and fails on drift.
 */

const ORDER_STATUS = Object.freeze({
  SUBMITTED: 'submitted',
  RETURNED: 'returned',
  REJECTED: 'rejected',
  ACCEPTED: 'accepted',
  DISPATCHED: 'dispatched',
  PUBLISHED: 'published',
  CLAIMED: 'claimed',
  SCHEDULED: 'scheduled',
  IN_SERVICE: 'in_service',
  SERVICED: 'serviced',
  CLOSED: 'closed',
  CANCELLED: 'cancelled',
});

const S = ORDER_STATUS;

const STATUS_LABELS = Object.freeze({
  [S.SUBMITTED]: '待受理',
  [S.RETURNED]: '退回补充',
  [S.REJECTED]: '不予受理',
  [S.ACCEPTED]: '已受理，待派单',
  [S.DISPATCHED]: '已派单，待专家接单',
  [S.PUBLISHED]: '揭榜中',
  [S.CLAIMED]: '已揭榜，待确认',
  [S.SCHEDULED]: '专家已接单，待上门',
  [S.IN_SERVICE]: '服务中',
  [S.SERVICED]: '服务完成，待办结',
  [S.CLOSED]: '已办结',
  [S.CANCELLED]: '已撤销',
});

// Colours group the states a requester cares about: waiting on the office
// (amber), needs me (red), on its way (blue), expert coming or there
// (green), done (grey). Text/background pairs keep a strong contrast.
const WAITING = Object.freeze({ color: '#8a4b00', background: '#fff1db' });
const NEEDS_ME = Object.freeze({ color: '#b3261e', background: '#fde7e4' });
const IN_PROGRESS = Object.freeze({ color: '#0b4f9c', background: '#e3eefb' });
const EXPERT = Object.freeze({ color: '#0a6b3d', background: '#dff4e8' });
const FINISHED = Object.freeze({ color: '#3d4550', background: '#e8eaed' });

const STATUS_STYLES = Object.freeze({
  [S.SUBMITTED]: WAITING,
  [S.RETURNED]: NEEDS_ME,
  [S.REJECTED]: NEEDS_ME,
  [S.ACCEPTED]: IN_PROGRESS,
  [S.DISPATCHED]: IN_PROGRESS,
  [S.PUBLISHED]: IN_PROGRESS,
  [S.CLAIMED]: IN_PROGRESS,
  [S.SCHEDULED]: EXPERT,
  [S.IN_SERVICE]: EXPERT,
  [S.SERVICED]: EXPERT,
  [S.CLOSED]: FINISHED,
  [S.CANCELLED]: FINISHED,
});

const UNKNOWN_STYLE = FINISHED;

/** The Chinese label of a status, or a neutral one for a status this build does not know yet. */
function statusLabel(status) {
  return STATUS_LABELS[status] || '处理中';
}

/** {color, background} for a status badge. */
function statusStyle(status) {
  return STATUS_STYLES[status] || UNKNOWN_STYLE;
}

module.exports = {
  ORDER_STATUS,
  STATUS_LABELS,
  STATUS_STYLES,
  statusLabel,
  statusStyle,
};
