/**
 * Forms kept on the phone while they are being filled in. A weak signal or a
 * phone call in the middle of an order must not cost an older person the
 * typing they already did, so pages save every change here and read it
 * back when they open. Storage keys live here only.
 */

const KEYS = Object.freeze({
  ORDER: 'requester.orderDraft',
  LAST_ORDER: 'requester.lastOrder',
  EDIT_PREFIX: 'requester.editDraft.',
});

// Bumped when the draft's shape changes, so an old draft is dropped rather
// than half-read into a form that expects something else.
const VERSION = 1;

function read(key) {
  try {
    const value = wx.getStorageSync(key);
    return value && typeof value === 'object' ? value : null;
  } catch (err) {
    return null;
  }
}

function write(key, value) {
  try {
    wx.setStorageSync(key, value);
  } catch (err) {
    // Storage full or unavailable: the form still works, only the safety net is gone.
  }
}

function remove(key) {
  try {
    wx.removeStorageSync(key);
  } catch (err) {
    // Nothing to recover.
  }
}

function loadVersioned(key) {
  const stored = read(key);
  if (!stored || stored.version !== VERSION) {
    return {};
  }
  const copy = Object.assign({}, stored);
  delete copy.version;
  return copy;
}

/** The new-order draft ({} when there is none). */
function loadOrderDraft() {
  return loadVersioned(KEYS.ORDER);
}

/** Replace the new-order draft. */
function saveOrderDraft(draft) {
  write(KEYS.ORDER, Object.assign({}, draft, { version: VERSION }));
}

/** Merge `patch` into the new-order draft and return the result. */
function updateOrderDraft(patch) {
  const next = Object.assign(loadOrderDraft(), patch);
  saveOrderDraft(next);
  return next;
}

function clearOrderDraft() {
  remove(KEYS.ORDER);
}

/** The draft of changes to a returned order ({} when there is none). */
function loadEditDraft(orderId) {
  return loadVersioned(KEYS.EDIT_PREFIX + orderId);
}

function saveEditDraft(orderId, draft) {
  write(KEYS.EDIT_PREFIX + orderId, Object.assign({}, draft, { version: VERSION }));
}

function clearEditDraft(orderId) {
  remove(KEYS.EDIT_PREFIX + orderId);
}

/** What the last placed order used (village, phone), to prefill the next one. */
function lastOrder() {
  return loadVersioned(KEYS.LAST_ORDER);
}

function rememberLastOrder(details) {
  write(KEYS.LAST_ORDER, Object.assign({}, details, { version: VERSION }));
}

module.exports = {
  KEYS,
  loadOrderDraft,
  saveOrderDraft,
  updateOrderDraft,
  clearOrderDraft,
  loadEditDraft,
  saveEditDraft,
  clearEditDraft,
  lastOrder,
  rememberLastOrder,
};
