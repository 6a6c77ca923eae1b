/**
 * The order form, for a new order (from the menu) or, with ?id=, to supply
 * what a returned order was missing. Every change is saved to the phone at
 * once; a send lost to the network keeps its Idempotency-Key so 重试 cannot
 * create a second order.
 */
const subscribe = require('../../../services/subscribe');
const orders = require('../../../services/orders');
const regions = require('../../../services/regions');
const upload = require('../../../services/upload');
const draft = require('../../../utils/draft');
const { addDays, formatDayWithWeekday, today } = require('../../../utils/format');
const {
  DESCRIPTION_HINTS, MAX_PHOTOS, WINDOW_REACH_DAYS, appendHint, defaultWindow, emptyForm, restorePhotos, validate,
} = require('./form');

const MENU_ROUTE = 'pages/requester/menu/index';
const DETAIL_URL = '/pages/requester/order-detail/index';

let photoSerial = 0;

function newPhotoKey() {
  photoSerial += 1;
  return `p${Date.now()}-${photoSerial}`;
}

function countOf(errors) {
  return Object.keys(errors).filter((key) => errors[key]).length;
}

// The outcome of a send that got no HTTP answer, or a gateway error, is
// unknown: the order may exist. Only then is the key kept for 重试.
function outcomeUnknown(error) {
  return !error.status || error.status >= 500;
}

function formFromOrder(order) {
  return {
    items: order.items,
    description: order.description,
    photos: order.photoIds.map((id) => ({
      key: `existing-${id}`, id, localPath: '', url: '', status: 'done', progress: 100, existing: true,
    })),
    regionCode: order.regionCode,
    regionTrail: [{ code: order.regionCode, name: order.regionName || order.regionCode, level: 'village' }],
    address: order.address,
    latitude: order.latitude,
    longitude: order.longitude,
    windowStart: order.windowStart,
    windowEnd: order.windowEnd,
    contactPhone: order.contactPhone,
    contactName: order.contactName,
    onBehalf: Boolean(order.onBehalfOf),
    onBehalfOf: order.onBehalfOf,
  };
}

Component({
  data: {
    mode: 'create', // create | edit
    orderId: '',
    loadStatus: 'ready', // loading | error | locked | ready (edit mode loads the order first)
    loadError: '',
    returnedReason: '',
    form: emptyForm(),
    regionText: '',
    regionParts: [],
    windowStartText: '',
    windowEndText: '',
    todayDay: '',
    lastDay: '',
    hints: DESCRIPTION_HINTS,
    maxPhotos: MAX_PHOTOS,
    errors: {},
    formError: '',
    canRetry: false,
    submitting: false,
    pendingKey: '',
    regionPicker: {
      open: false, status: 'loading', trail: [], options: [], prompt: '', error: '',
    },
  },

  pageLifetimes: {
    // Back from the menu, where items may have been added.
    show() {
      if (this.data.mode === 'create' && this.started) {
        const items = draft.loadOrderDraft().items || [];
        this.setData({ 'form.items': items, 'errors.items': '' });
      }
    },
  },

  methods: {
    onLoad(query) {
      this.started = true;
      const day = today();
      this.setData({ todayDay: day, lastDay: addDays(day, WINDOW_REACH_DAYS) });
      const id = query && query.id;
      if (id) {
        this.setData({ mode: 'edit', orderId: String(id) });
        wx.setNavigationBarTitle({ title: '补充信息' });
        return this.loadOrder();
      }
      const saved = draft.loadOrderDraft();
      const form = Object.assign(emptyForm(draft.lastOrder()), saved.form || {}, {
        items: saved.items || [],
      });
      form.photos = restorePhotos(form.photos);
      if (form.windowStart < day) {
        // A draft left for a week would otherwise open with a window already past.
        Object.assign(form, defaultWindow());
      }
      this.showForm(form, saved.pendingKey || '');
      return Promise.resolve();
    },

    loadOrder() {
      this.setData({ loadStatus: 'loading', loadError: '' });
      return orders.getOrder(this.data.orderId).then(
        (order) => {
          this.original = order;
          if (!order.canResubmit) {
            this.setData({
              loadStatus: 'locked',
              loadError: `这张需求单现在是「${order.statusLabel}」，不需要补充信息`,
            });
            return;
          }
          const saved = draft.loadEditDraft(order.id);
          const fresh = !saved.form || saved.orderVersion !== order.version;
          const form = fresh ? formFromOrder(order) : saved.form;
          form.photos = restorePhotos(form.photos);
          this.setData({ loadStatus: 'ready', returnedReason: order.lastReason });
          this.showForm(form, fresh ? '' : saved.pendingKey || '');
        },
        (error) => this.setData({ loadStatus: 'error', loadError: error.message }),
      );
    },

    onReload() {
      return this.loadOrder();
    },

    onBack() {
      wx.navigateBack({ delta: 1 });
    },

    showForm(form, pendingKey) {
      this.setData({
        form,
        pendingKey,
        canRetry: Boolean(pendingKey),
        formError: pendingKey ? '上次提交时网络断了，您填的内容都在。请点「重试」再次提交' : '',
      });
      this.refreshTexts();
    },

    refreshTexts() {
      const { form } = this.data;
      this.setData({
        regionText: (form.regionTrail || []).map((region) => region.name).join(' '),
        // One unbreakable piece per level, so a line never ends in 「兴隆」 with 「村」 alone below.
        regionParts: (form.regionTrail || []).map((region) => region.name),
        windowStartText: formatDayWithWeekday(form.windowStart),
        windowEndText: formatDayWithWeekday(form.windowEnd),
      });
    },

    /** Save the form as it is now; called after every change. */
    persist() {
      const { form, pendingKey } = this.data;
      if (this.data.mode === 'edit') {
        draft.saveEditDraft(this.data.orderId, { form, pendingKey, orderVersion: this.original.version });
        return;
      }
      const fields = Object.assign({}, form);
      delete fields.items;
      // Items stay at the top level: the menu page reads and writes them too.
      draft.saveOrderDraft({ items: form.items, form: fields, pendingKey });
    },

    setFields(changes) {
      const update = {};
      Object.keys(changes).forEach((name) => {
        update[`form.${name}`] = changes[name];
      });
      this.setData(update);
      this.persist();
    },

    clearErrors(names) {
      const update = {};
      names.forEach((name) => {
        update[`errors.${name}`] = '';
      });
      this.setData(update);
    },

    // ---------------------------------------------------------------- items

    onRemoveItem(event) {
      const { code } = event.currentTarget.dataset;
      this.setFields({ items: this.data.form.items.filter((item) => item.code !== code) });
    },

    onAddItems() {
      const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : [];
      const previous = pages.length > 1 ? pages[pages.length - 2] : null;
      if (previous && previous.route === MENU_ROUTE) {
        wx.navigateBack({ delta: 1 });
      } else {
        wx.navigateTo({ url: `/${MENU_ROUTE}` });
      }
    },

    // ---------------------------------------------------------------- description

    onDescriptionInput(event) {
      this.setFields({ description: event.detail.value });
      this.clearErrors(['description']);
    },

    onInsertHint(event) {
      const { hint } = event.currentTarget.dataset;
      this.setFields({ description: appendHint(this.data.form.description, hint) });
      this.clearErrors(['description']);
    },

    // ---------------------------------------------------------------- photos

    onAddPhotos() {
      const room = MAX_PHOTOS - this.data.form.photos.length;
      if (room <= 0) {
        wx.showToast({ title: `最多 ${MAX_PHOTOS} 张照片`, icon: 'none' });
        return;
      }
      wx.chooseMedia({
        count: room,
        mediaType: ['image'],
        sourceType: ['album', 'camera'],
        // Compressed photos go up faster on a weak signal and are clear enough to diagnose from.
        sizeType: ['compressed'],
        success: (res) => {
          const added = (res.tempFiles || []).slice(0, room).map((file) => ({
            key: newPhotoKey(),
            id: '',
            localPath: file.tempFilePath,
            url: '',
            status: 'uploading',
            progress: 0,
            existing: false,
          }));
          this.setFields({ photos: this.data.form.photos.concat(added) });
          this.clearErrors(['photos']);
          added.forEach((photo) => this.uploadPhoto(photo.key));
        },
      });
    },

    photoIndex(key) {
      return this.data.form.photos.findIndex((photo) => photo.key === key);
    },

    updatePhoto(key, patch, save) {
      const index = this.photoIndex(key);
      if (index < 0) {
        return; // removed while it was going up
      }
      this.setData({ [`form.photos[${index}]`]: Object.assign({}, this.data.form.photos[index], patch) });
      if (save) {
        this.persist();
      }
    },

    uploadPhoto(key) {
      const index = this.photoIndex(key);
      if (index < 0) {
        return Promise.resolve();
      }
      const { localPath } = this.data.form.photos[index];
      this.updatePhoto(key, { status: 'uploading', progress: 0 }, true);
      return upload.uploadPhoto(localPath, {
        purpose: 'order_photo',
        onProgress: (progress) => this.updatePhoto(key, { progress }, false),
      }).then(
        (photo) => this.updatePhoto(key, { id: photo.id, url: photo.url, status: 'done', progress: 100 }, true),
        () => this.updatePhoto(key, { status: 'failed', progress: 0 }, true),
      );
    },

    onRetryPhoto(event) {
      this.clearErrors(['photos']);
      return this.uploadPhoto(event.currentTarget.dataset.key);
    },

    onRemovePhoto(event) {
      const { key } = event.currentTarget.dataset;
      this.setFields({ photos: this.data.form.photos.filter((photo) => photo.key !== key) });
      this.clearErrors(['photos']);
    },

    onPreviewPhoto(event) {
      const { key } = event.currentTarget.dataset;
      const shown = this.data.form.photos.filter((photo) => photo.localPath);
      const current = shown.find((photo) => photo.key === key);
      if (current) {
        wx.previewImage({ current: current.localPath, urls: shown.map((photo) => photo.localPath) });
      }
    },

    // ---------------------------------------------------------------- place

    onChooseLocation() {
      const { form } = this.data;
      const options = {};
      if (form.latitude !== null && form.longitude !== null) {
        options.latitude = form.latitude;
        options.longitude = form.longitude;
      }
      wx.chooseLocation(Object.assign(options, {
        success: (res) => {
          const name = res.name && (res.address || '').indexOf(res.name) < 0 ? res.name : '';
          this.setFields({
            latitude: res.latitude,
            longitude: res.longitude,
            address: `${res.address || ''}${name}` || form.address,
          });
          this.clearErrors(['location', 'address']);
        },
        fail: (err) => {
          if (/cancel/.test((err && err.errMsg) || '')) {
            return;
          }
          this.setData({ 'errors.location': '没有拿到位置。请在设置里允许使用位置信息，再点一次' });
        },
      }));
    },

    onAddressInput(event) {
      this.setFields({ address: event.detail.value });
      this.clearErrors(['address']);
    },

    // ---------------------------------------------------------------- village picker

    onOpenRegionPicker() {
      const trail = this.data.form.regionTrail || [];
      // Start among the chosen village's neighbours: a wrong tap is one step to fix.
      return this.showRegionLevel(trail.length > 1 ? trail.slice(0, -1) : []);
    },

    showRegionLevel(trail) {
      const parent = trail.length ? trail[trail.length - 1] : null;
      this.setData({
        regionPicker: {
          open: true,
          status: 'loading',
          trail,
          options: [],
          prompt: regions.promptBelow(parent ? parent.level : null),
          error: '',
        },
      });
      return regions.children(parent ? parent.code : '').then(
        (options) => this.setData({
          'regionPicker.status': options.length ? 'ready' : 'empty',
          'regionPicker.options': options,
        }),
        (error) => this.setData({ 'regionPicker.status': 'error', 'regionPicker.error': error.message }),
      );
    },

    onPickRegion(event) {
      const { code } = event.currentTarget.dataset;
      const { trail, options } = this.data.regionPicker;
      const region = options.find((option) => option.code === code);
      if (!region) {
        return Promise.resolve();
      }
      const next = trail.concat([{ code: region.code, name: region.name, level: region.level }]);
      if (!region.isVillage) {
        return this.showRegionLevel(next);
      }
      this.setFields({ regionCode: region.code, regionTrail: next });
      this.clearErrors(['region']);
      this.setData({ 'regionPicker.open': false });
      this.refreshTexts();
      return Promise.resolve();
    },

    onRegionCrumb(event) {
      const depth = Number(event.currentTarget.dataset.depth);
      return this.showRegionLevel(this.data.regionPicker.trail.slice(0, depth));
    },

    onRegionRetry() {
      return this.showRegionLevel(this.data.regionPicker.trail);
    },

    onCloseRegionPicker() {
      this.setData({ 'regionPicker.open': false });
    },

    // ---------------------------------------------------------------- time window

    onWindowStartChange(event) {
      const start = event.detail.value;
      const changes = { windowStart: start };
      // Moving the start past the end drags the end along instead of making an error to fix.
      if (this.data.form.windowEnd < start) {
        changes.windowEnd = addDays(start, 5);
      }
      this.setFields(changes);
      this.clearErrors(['windowStart', 'windowEnd']);
      this.refreshTexts();
    },

    onWindowEndChange(event) {
      this.setFields({ windowEnd: event.detail.value });
      this.clearErrors(['windowEnd']);
      this.refreshTexts();
    },

    // ---------------------------------------------------------------- contact

    onPhoneInput(event) {
      this.setFields({ contactPhone: event.detail.value });
      this.clearErrors(['contactPhone']);
    },

    onContactNameInput(event) {
      this.setFields({ contactName: event.detail.value });
    },

    onOnBehalfChange(event) {
      this.setFields({ onBehalf: Boolean(event.detail.value) });
      this.clearErrors(['onBehalfOf']);
    },

    onOnBehalfNameInput(event) {
      this.setFields({ onBehalfOf: event.detail.value });
      this.clearErrors(['onBehalfOf']);
    },

    // ---------------------------------------------------------------- submit

    onSubmit() {
      if (this.data.submitting) {
        return Promise.resolve();
      }
      const { form, mode } = this.data;
      const errors = validate(form, { mode });
      const count = countOf(errors);
      if (count) {
        this.setData({
          errors,
          canRetry: false,
          formError: `还有 ${count} 处要填写或修改，请看红字提示`,
        });
        return Promise.resolve();
      }
      let send;
      if (mode === 'edit') {
        const changes = orders.toEditBody(this.original, form);
        if (Object.keys(changes).length === 0) {
          this.setData({ errors: {}, canRetry: false, formError: '您还没有修改任何内容' });
          return Promise.resolve();
        }
        send = () => orders.resubmit(this.data.orderId, changes, { idempotencyKey: this.data.pendingKey });
      } else {
        send = () => orders.placeOrder(form, { idempotencyKey: this.data.pendingKey });
      }
      subscribe.ask('placeOrder');
      this.setData({ submitting: true, errors: {}, formError: '', canRetry: false });
      return send().then(
        (order) => this.onSent(order),
        (error) => this.onSendFailed(error),
      );
    },

    onSent(order) {
      const { form, mode } = this.data;
      this.setData({ submitting: false, pendingKey: '' });
      if (mode === 'edit') {
        draft.clearEditDraft(this.data.orderId);
        wx.showToast({ title: '已重新提交', icon: 'success' });
        wx.navigateBack({ delta: 1 });
        return;
      }
      draft.clearOrderDraft();
      draft.rememberLastOrder({
        regionCode: form.regionCode,
        regionTrail: form.regionTrail,
        contactPhone: form.contactPhone.trim(),
        contactName: (form.contactName || '').trim(),
      });
      wx.showToast({ title: '提交成功', icon: 'success' });
      wx.redirectTo({ url: `${DETAIL_URL}?id=${order.id}` });
    },

    onSendFailed(error) {
      if (error.status === 409) {
        this.setData({ submitting: false, pendingKey: '', formError: error.message });
        this.persist();
        wx.showModal({
          title: '提示',
          content: error.message,
          showCancel: false,
          confirmText: '知道了',
          success: () => wx.navigateBack({ delta: 1 }),
        });
        return;
      }
      const unknown = outcomeUnknown(error);
      const update = {
        submitting: false,
        canRetry: unknown,
        pendingKey: unknown ? error.idempotencyKey || this.data.pendingKey : '',
        formError: unknown ? `${error.message}。您填的内容都已保存，可以点「重试」` : error.message,
      };
      if (error.status === 422) {
        const mapped = orders.formErrorsFrom(error.fields);
        update.errors = mapped.fields;
        if (mapped.other.length) {
          update.formError = `${error.message}：${mapped.other.join('；')}`;
        }
      }
      this.setData(update);
      this.persist();
    },
  },
});
