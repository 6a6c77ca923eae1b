// One order: its state, a timeline of every step with reasons, and what the
// requester may do now (补充信息, 撤销) as the server's `actions` say.
const orders = require('../../../services/orders');

const FORM_URL = '/pages/requester/order-form/index';
// The backend wants 2–300 characters; preset reasons save typing.
const REASON_MIN = 2;
const CANCEL_REASONS = Object.freeze([
  '问题已经解决了',
  '时间不合适，以后再说',
  '填错了，要重新下单',
  '已经找到别人帮忙',
]);

function closedSheet() {
  return { open: false, reason: '', picked: -1, error: '', sending: false };
}

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    orderId: '',
    order: null,
    cancelReasons: CANCEL_REASONS,
    cancelSheet: closedSheet(),
  },

  pageLifetimes: {
    // Back from the form after 补充信息: show the resubmitted state.
    show() {
      if (this.loadedOnce) {
        this.load(false);
      }
    },
  },

  methods: {
    onLoad(query) {
      this.setData({ orderId: String((query && query.id) || '') });
      return this.load(true);
    },

    load(showLoading) {
      if (showLoading) {
        this.setData({ status: 'loading', errorMessage: '' });
      }
      return orders.getOrder(this.data.orderId).then(
        (order) => {
          this.loadedOnce = true;
          this.setData({ status: 'ready', order });
        },
        (error) => {
          if (showLoading || !this.data.order) {
            this.setData({ status: 'error', errorMessage: error.message });
          } else {
            wx.showToast({ title: error.message, icon: 'none' });
          }
        },
      );
    },

    onRetry() {
      return this.load(true);
    },

    onResubmit() {
      wx.navigateTo({ url: `${FORM_URL}?id=${this.data.order.id}` });
    },

    onOpenCancel() {
      this.setData({ cancelSheet: Object.assign(closedSheet(), { open: true }) });
    },

    onCloseCancel() {
      if (!this.data.cancelSheet.sending) {
        this.setData({ cancelSheet: closedSheet() });
      }
    },

    onPickReason(event) {
      const index = Number(event.currentTarget.dataset.index);
      this.setData({
        'cancelSheet.picked': index,
        'cancelSheet.reason': CANCEL_REASONS[index],
        'cancelSheet.error': '',
      });
    },

    onReasonInput(event) {
      this.setData({
        'cancelSheet.picked': -1,
        'cancelSheet.reason': event.detail.value,
        'cancelSheet.error': '',
      });
    },

    onConfirmCancel() {
      const sheet = this.data.cancelSheet;
      if (sheet.sending) {
        return Promise.resolve();
      }
      const reason = sheet.reason.trim();
      if (reason.length < REASON_MIN) {
        this.setData({ 'cancelSheet.error': '请点一个原因，或写几个字说明为什么撤销' });
        return Promise.resolve();
      }
      this.setData({ 'cancelSheet.sending': true, 'cancelSheet.error': '' });
      return orders.cancel(this.data.order.id, reason).then(
        () => {
          this.setData({ cancelSheet: closedSheet() });
          wx.showToast({ title: '已撤销', icon: 'success' });
          return this.load(false);
        },
        (error) => {
          if (error.status === 409) {
            // Someone acted on the order meanwhile: say what happened and show its state now.
            this.setData({ cancelSheet: closedSheet() });
            wx.showModal({ title: '提示', content: error.message, showCancel: false, confirmText: '知道了' });
            return this.load(false);
          }
          this.setData({ 'cancelSheet.sending': false, 'cancelSheet.error': error.message });
          return null;
        },
      );
    },
  },
});
