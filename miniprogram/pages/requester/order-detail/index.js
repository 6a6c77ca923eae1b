// One order: its state, a timeline of every step with reasons, its visits
// with their ratings, and what the requester may do now (补充信息, 撤销,
// 出示签到码, 确认已解决, 请专家再来) as the server's `actions` say.
const orders = require('../../../services/orders');
const feedback = require('../../../services/feedback');
const recordPage = require('../../../behaviors/record-page');

const FORM_URL = '/pages/requester/order-form/index';
const CODE_URL = '/pages/requester/checkin-code/index';
const ORDERS_URL = '/pages/requester/orders/index';
// Orders that may have visits to list.
const VISIT_STATUSES = Object.freeze(['scheduled', 'in_service', 'serviced', 'closed']);
const REVISIT_REASONS = Object.freeze([
  '问题还没解决',
  '想请专家再看看效果',
  '又出现了新问题',
]);
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
  // Back from the form after 补充信息 it reloads: show the resubmitted state.
  behaviors: [recordPage({
    idKey: 'orderId',
    recordKey: 'order',
    fetch: (id) => orders.getOrder(id).then((order) => ({ order })),
    loaded: 'loadVisits',
  })],

  data: {
    orderId: '',
    order: null,
    cancelReasons: CANCEL_REASONS,
    cancelSheet: closedSheet(),
    revisitReasons: REVISIT_REASONS,
    revisitSheet: closedSheet(),
    visits: [],
    visitsError: '',
    confirming: false,
  },

  methods: {
    loadVisits(order) {
      if (VISIT_STATUSES.indexOf(order.status) < 0) {
        this.setData({ visits: [], visitsError: '' });
        return Promise.resolve();
      }
      return feedback.listVisits(order.id).then(
        (visits) => this.setData({ visits, visitsError: '' }),
        (error) => this.setData({ visitsError: error.message }),
      );
    },

    onBack() {
      const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : [];
      if (pages.length > 1) {
        wx.navigateBack({ delta: 1 });
      } else {
        wx.redirectTo({ url: ORDERS_URL });
      }
    },

    onShowCode() {
      wx.navigateTo({ url: `${CODE_URL}?id=${this.data.order.id}` });
    },

    onRateVisit(event) {
      wx.navigateTo({ url: `${CODE_URL}?id=${this.data.order.id}&visit=${event.currentTarget.dataset.id}` });
    },

    // The server said no (someone acted meanwhile): say why and show the order as it is now.
    explainConflict(error) {
      wx.showModal({ title: '提示', content: error.message, showCancel: false, confirmText: '知道了' });
      return this.load(false);
    },

    onConfirmSolved() {
      if (this.data.confirming) {
        return Promise.resolve();
      }
      this.setData({ confirming: true });
      return orders.confirmSolved(this.data.order.id).then(
        () => {
          this.setData({ confirming: false });
          wx.showToast({ title: '已办结', icon: 'success' });
          return this.load(false);
        },
        (error) => {
          this.setData({ confirming: false });
          if (error.status === 409) {
            return this.explainConflict(error);
          }
          wx.showToast({ title: error.message, icon: 'none' });
          return null;
        },
      );
    },

    onOpenRevisit() {
      this.setData({ revisitSheet: Object.assign(closedSheet(), { open: true }) });
    },

    onCloseRevisit() {
      if (!this.data.revisitSheet.sending) {
        this.setData({ revisitSheet: closedSheet() });
      }
    },

    onPickRevisitReason(event) {
      const index = Number(event.currentTarget.dataset.index);
      this.setData({
        'revisitSheet.picked': index,
        'revisitSheet.reason': REVISIT_REASONS[index],
        'revisitSheet.error': '',
      });
    },

    onRevisitInput(event) {
      this.setData({ 'revisitSheet.picked': -1, 'revisitSheet.reason': event.detail.value, 'revisitSheet.error': '' });
    },

    onSendRevisit() {
      const sheet = this.data.revisitSheet;
      if (sheet.sending) {
        return Promise.resolve();
      }
      const reason = sheet.reason.trim();
      if (reason.length < REASON_MIN) {
        this.setData({ 'revisitSheet.error': '请点一个原因，或写几个字说明为什么还要再来' });
        return Promise.resolve();
      }
      this.setData({ 'revisitSheet.sending': true, 'revisitSheet.error': '' });
      return orders.requestRevisit(this.data.order.id, reason).then(
        () => {
          this.setData({ revisitSheet: closedSheet() });
          wx.showToast({ title: '已请专家再来', icon: 'success' });
          return this.load(false);
        },
        (error) => {
          if (error.status === 409) {
            this.setData({ revisitSheet: closedSheet() });
            return this.explainConflict(error);
          }
          this.setData({ 'revisitSheet.sending': false, 'revisitSheet.error': error.message });
          return null;
        },
      );
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
