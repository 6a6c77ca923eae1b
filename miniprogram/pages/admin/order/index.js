// One order for the admin: what was asked, where and when, how long it has
// waited, every step so far, and the actions the server allows now (受理,
// 退回, 不予受理, 派单, 发布揭榜, 确认揭榜 / 重新发榜, 撤回, 办结). When someone
// else acted first (409) it says so and shows the order as it is now.
const admin = require('../../../services/admin');
const recordPage = require('../../../behaviors/record-page');

const DISPATCH_URL = '/pages/admin/dispatch/index';

// What each reason sheet asks, its presets and which service call it makes.
const REASON_SHEETS = Object.freeze({
  return: {
    title: '退回需求方补充信息',
    hint: '需求方会看到这个原因，补充后可重新提交',
    presets: ['请补充问题部位的照片', '请写清楚具体地点', '请说明品种和规模（亩数、头数）', '期望时间已过，请重新选择'],
    confirmText: '退回补充',
    danger: false,
    toast: '已退回',
    send: (id, reason) => admin.returnOrder(id, reason),
  },
  reject: {
    title: '不予受理的原因',
    hint: '需求方会看到这个原因，不予受理后需求单结束',
    presets: ['不属于专家服务的范围', '与已提交的需求重复', '需求内容无法核实'],
    confirmText: '不予受理',
    danger: true,
    toast: '已不予受理',
    send: (id, reason) => admin.reject(id, reason),
  },
  recall: {
    title: '撤回的原因',
    hint: '撤回后需求单回到待派单，可重新派单或发榜',
    presets: ['专家长时间未答复', '需要改派更合适的专家', '需求方要求更换专家'],
    confirmText: '撤回',
    danger: true,
    toast: '已撤回',
    send: (id, reason) => admin.recall(id, reason),
  },
  reopen_claim: {
    title: '不确认该专家，重新发榜',
    hint: '揭榜的专家会看到这个原因',
    presets: ['专业方向不对口', '距离太远，难以按时上门', '近期在办任务太多'],
    confirmText: '重新发榜',
    danger: true,
    toast: '已重新发榜',
    send: (id, reason) => admin.reopenClaim(id, reason),
  },
  admin_close: {
    title: '办结说明',
    hint: '说明为什么由管理员办结',
    presets: ['问题已解决，已电话向需求方确认', '需求方多次联系不上，按规定办结'],
    confirmText: '办结',
    danger: false,
    toast: '已办结',
    send: (id, reason) => admin.closeOrder(id, reason),
  },
});

function closedSheet() {
  return {
    mode: '', title: '', hint: '', presets: [], confirmText: '', danger: false, sending: false, error: '',
  };
}

Component({
  // Back from the dispatch screen it reloads: show the order as it is now.
  behaviors: [recordPage({
    idKey: 'orderId',
    recordKey: 'order',
    fetch: (id) => admin.getOrder(id).then((order) => ({ order })),
  })],

  data: {
    orderId: '',
    order: null,
    busy: '',
    sheet: closedSheet(),
    publish: { open: false, sending: false, error: '' },
  },

  methods: {
    // The server said no because the order moved on: say why and show it as it is.
    explainConflict(error) {
      wx.showModal({ title: '提示', content: error.message, showCancel: false, confirmText: '知道了' });
      return this.load(false);
    },

    done(order, toast) {
      // An action's answer has no timeline (only GET has): keep the old one until the reload.
      const timeline = order.timeline.length ? order.timeline : this.data.order.timeline;
      this.setData({ order: Object.assign(order, { timeline }), busy: '' });
      wx.showToast({ title: toast, icon: 'success' });
      // The timeline comes only with GET.
      return this.load(false);
    },

    failed(error) {
      this.setData({ busy: '' });
      if (error.status === 409) {
        return this.explainConflict(error);
      }
      wx.showToast({ title: error.message, icon: 'none', duration: 3000 });
      return null;
    },

    /** Ask, then run an action that needs no reason (受理, 确认揭榜). */
    confirmThen(busy, question, send, toast) {
      if (this.data.busy) {
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        wx.showModal({
          title: '请确认',
          content: question,
          confirmText: '确定',
          cancelText: '取消',
          success: (res) => resolve(Boolean(res && res.confirm)),
          fail: () => resolve(false),
        });
      }).then((confirmed) => {
        if (!confirmed) {
          return null;
        }
        this.setData({ busy });
        return send().then((order) => this.done(order, toast), (error) => this.failed(error));
      });
    },

    onAccept() {
      const id = this.data.order.id;
      return this.confirmThen('accept', '受理后进入待派单。确定受理这个需求单吗？', () => admin.accept(id), '已受理');
    },

    onConfirmClaim() {
      const id = this.data.order.id;
      return this.confirmThen('confirm_claim', '确认后由揭榜专家上门服务。确定吗？', () => admin.confirmClaim(id), '已确认');
    },

    onDispatch() {
      wx.navigateTo({ url: `${DISPATCH_URL}?id=${this.data.order.id}` });
    },

    onOpenReason(event) {
      const { mode } = event.currentTarget.dataset;
      const config = REASON_SHEETS[mode];
      if (!config) {
        return;
      }
      this.setData({
        sheet: {
          mode,
          title: config.title,
          hint: config.hint,
          presets: config.presets,
          confirmText: config.confirmText,
          danger: config.danger,
          sending: false,
          error: '',
        },
      });
    },

    onReasonClose() {
      this.setData({ sheet: closedSheet() });
    },

    onReasonSubmit(event) {
      const config = REASON_SHEETS[this.data.sheet.mode];
      if (!config || this.data.sheet.sending) {
        return Promise.resolve();
      }
      this.setData({ 'sheet.sending': true, 'sheet.error': '' });
      return config.send(this.data.order.id, event.detail.reason).then(
        (order) => {
          this.setData({ sheet: closedSheet() });
          return this.done(order, config.toast);
        },
        (error) => {
          if (error.status === 409) {
            this.setData({ sheet: closedSheet() });
            return this.explainConflict(error);
          }
          this.setData({ 'sheet.sending': false, 'sheet.error': error.message });
          return null;
        },
      );
    },

    onOpenPublish() {
      this.setData({ publish: { open: true, sending: false, error: '' } });
    },

    onPublishClose() {
      this.setData({ publish: { open: false, sending: false, error: '' } });
    },

    onPublishSubmit(event) {
      if (this.data.publish.sending) {
        return Promise.resolve();
      }
      this.setData({ 'publish.sending': true, 'publish.error': '' });
      return admin.publish(this.data.order.id, event.detail.day).then(
        (order) => {
          this.setData({ publish: { open: false, sending: false, error: '' } });
          return this.done(order, '已发布揭榜');
        },
        (error) => {
          if (error.status === 409) {
            this.setData({ publish: { open: false, sending: false, error: '' } });
            return this.explainConflict(error);
          }
          this.setData({ 'publish.sending': false, 'publish.error': error.message });
          return null;
        },
      );
    },
  },
});
