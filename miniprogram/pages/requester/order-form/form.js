/**
 * The order form's rules, kept apart from the page so they read as a list:
 * defaults, tap-to-insert hints, and the checks made before anything is sent.
 */

const { addDays, today } = require('../../../utils/format');

const PHONE_PATTERN = /^1[3-9]\d{9}$/;
const DESCRIPTION_MIN = 5;
const MAX_PHOTOS = 9;
// How far ahead the date pickers reach; further out nobody can plan a visit.
const WINDOW_REACH_DAYS = 180;

// Whole phrases a person can tap instead of typing them.
const DESCRIPTION_HINTS = Object.freeze([
  '已经有好几天了',
  '用过药，但不见好',
  '不知道是什么原因',
  '面积比较大',
  '想请专家上门看看',
  '想学这门技术',
]);

/** The default time window: from 2 to 7 days from today. */
function defaultWindow(now) {
  const day = today(now);
  return { windowStart: addDays(day, 2), windowEnd: addDays(day, 7) };
}

/** A blank form, with the village and phone of the last order filled in. */
function emptyForm(last, now) {
  const previous = last || {};
  return Object.assign({
    items: [],
    description: '',
    photos: [],
    regionCode: previous.regionCode || '',
    regionTrail: previous.regionTrail || [],
    address: '',
    latitude: null,
    longitude: null,
    contactPhone: previous.contactPhone || '',
    contactName: previous.contactName || '',
    onBehalf: false,
    onBehalfOf: '',
  }, defaultWindow(now));
}

/** `text` with `hint` appended as a new clause. */
function appendHint(text, hint) {
  const current = text || '';
  if (!current.trim()) {
    return hint;
  }
  return /[，。！？,.!?\s]$/.test(current) ? current + hint : `${current}，${hint}`;
}

/** Photos restored from storage were cut off mid-upload: they need a retry, not a spinner forever. */
function restorePhotos(photos) {
  return (photos || []).map((photo) => (photo.status === 'uploading'
    ? Object.assign({}, photo, { status: 'failed', progress: 0 })
    : photo));
}

/**
 * Per-field Chinese messages for what is missing or wrong; {} when the form
 * may be sent. In edit mode the items, village and 代村民 fields are fixed.
 */
function validate(form, { mode = 'create', now } = {}) {
  const errors = {};
  const creating = mode === 'create';
  if (creating && (!form.items || form.items.length === 0)) {
    errors.items = '请先在菜单里选择要请专家做的事';
  }
  const description = (form.description || '').trim();
  if (!description) {
    errors.description = '请说一说遇到了什么问题';
  } else if (description.length < DESCRIPTION_MIN) {
    errors.description = `问题再多写几个字（至少 ${DESCRIPTION_MIN} 个字）`;
  }
  if (creating && !form.regionCode) {
    errors.region = '请选择所在的村（社区）';
  }
  if (form.latitude === null || form.latitude === undefined
    || form.longitude === null || form.longitude === undefined) {
    errors.location = '请点「在地图上选位置」标出服务地点';
  }
  if ((form.address || '').trim().length < 2) {
    errors.address = '请填写详细地址，方便专家找到';
  }
  if (!form.windowStart) {
    errors.windowStart = '请选择开始日期';
  } else if (form.windowStart < today(now)) {
    errors.windowStart = '开始日期不能早于今天';
  }
  if (!form.windowEnd) {
    errors.windowEnd = '请选择结束日期';
  } else if (form.windowStart && form.windowEnd < form.windowStart) {
    errors.windowEnd = '结束日期不能早于开始日期';
  }
  const phone = (form.contactPhone || '').trim();
  if (!phone) {
    errors.contactPhone = '请填写联系电话';
  } else if (!PHONE_PATTERN.test(phone)) {
    errors.contactPhone = '手机号码不对，请填写 11 位手机号';
  }
  if (creating && form.onBehalf && !(form.onBehalfOf || '').trim()) {
    errors.onBehalfOf = '请填写村民姓名';
  }
  const photos = form.photos || [];
  if (photos.some((photo) => photo.status === 'uploading')) {
    errors.photos = '照片还在上传，请稍等一下';
  } else if (photos.some((photo) => photo.status === 'failed')) {
    errors.photos = '有照片没有传上去，请点「重试」或删掉';
  }
  return errors;
}

module.exports = {
  DESCRIPTION_HINTS,
  MAX_PHOTOS,
  WINDOW_REACH_DAYS,
  defaultWindow,
  emptyForm,
  appendHint,
  restorePhotos,
  validate,
};
