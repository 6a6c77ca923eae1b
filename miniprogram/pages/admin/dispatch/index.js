// 派单: the experts the matcher ranks best for this order, each with the
// reasons behind the score (领域对口 +30, 距离 12 公里 +15 …), a team section
// when the order needs several experts, and 发布揭榜 as the alternative.
// 派给他/她 asks for confirmation (with an optional note) before sending.
const admin = require('../../../services/admin');

const ORDER_URL = '/pages/admin/order/index';

function closedPublish() {
  return { open: false, sending: false, error: '' };
}

function ask(options) {
  return new Promise((resolve) => {
    wx.showModal(Object.assign({
      success: (res) => resolve(res || {}),
      fail: () => resolve({ confirm: false }),
    }, options));
  });
}

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    orderId: '',
    order: null,
    canDispatch: false,
    experts: [],
    teams: [],
    needsTeam: false,
    recommendationError: '',
    sending: '',
    publish: closedPublish(),
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
      const id = this.data.orderId;
      return admin.getOrder(id).then(
        (order) => {
          const canDispatch = order.can.dispatch;
          this.setData({ status: 'ready', order, canDispatch, sending: '' });
          if (!canDispatch) {
            this.setData({ experts: [], teams: [], recommendationError: '' });
            return null;
          }
          return this.loadRecommendations();
        },
        (error) => this.setData({ status: 'error', errorMessage: error.message }),
      );
    },

    loadRecommendations() {
      return admin.getRecommendations(this.data.orderId).then(
        (result) => this.setData({
          experts: result.experts,
          teams: result.teams,
          needsTeam: result.needsTeam,
          recommendationError: '',
        }),
        (error) => this.setData({ experts: [], teams: [], recommendationError: error.message }),
      );
    },

    onRetry() {
      return this.load(true);
    },

    onRetryRecommendations() {
      return this.loadRecommendations();
    },

    backToOrder() {
      const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : [];
      if (pages.length > 1) {
        wx.navigateBack({ delta: 1 });
      } else {
        wx.redirectTo({ url: `${ORDER_URL}?id=${this.data.orderId}` });
      }
    },

    onBack() {
      this.backToOrder();
    },

    explainConflict(error) {
      wx.showModal({ title: '提示', content: error.message, showCancel: false, confirmText: '知道了' });
      return this.load(false);
    },

    send(target, body) {
      this.setData({ sending: target });
      return admin.dispatch(this.data.orderId, body).then(
        () => {
          this.setData({ sending: '' });
          wx.showToast({ title: '已派单', icon: 'success' });
          this.backToOrder();
        },
        (error) => {
          this.setData({ sending: '' });
          if (error.status === 409) {
            return this.explainConflict(error);
          }
          wx.showModal({ title: '没有派出去', content: error.message, showCancel: false, confirmText: '知道了' });
          return null;
        },
      );
    },

    onDispatchExpert(event) {
      if (this.data.sending) {
        return Promise.resolve();
      }
      const id = Number(event.currentTarget.dataset.id);
      const expert = this.data.experts.find((item) => item.expertId === id);
      if (!expert) {
        return Promise.resolve();
      }
      return ask({
        title: '确认派单',
        content: `派给 ${expert.name}${expert.titleText ? `（${expert.titleText}）` : ''}？专家需在规定时间内答复。`,
        editable: true,
        placeholderText: '给专家留言（可不填）',
        confirmText: '派单',
        cancelText: '再看看',
      }).then((res) => {
        if (!res.confirm) {
          return null;
        }
        return this.send(`expert-${id}`, { expertId: id, note: res.content || '' });
      });
    },

    onDispatchTeam(event) {
      if (this.data.sending) {
        return Promise.resolve();
      }
      const id = Number(event.currentTarget.dataset.id);
      const team = this.data.teams.find((item) => item.teamId === id);
      if (!team) {
        return Promise.resolve();
      }
      return ask({
        title: '确认派单',
        content: `派给「${team.name}」？由团长接单并安排成员上门。`,
        editable: true,
        placeholderText: '给团长留言（可不填）',
        confirmText: '派单',
        cancelText: '再看看',
      }).then((res) => {
        if (!res.confirm) {
          return null;
        }
        return this.send(`team-${id}`, { teamId: id, note: res.content || '' });
      });
    },

    onOpenPublish() {
      this.setData({ publish: { open: true, sending: false, error: '' } });
    },

    onPublishClose() {
      this.setData({ publish: closedPublish() });
    },

    onPublishSubmit(event) {
      if (this.data.publish.sending) {
        return Promise.resolve();
      }
      this.setData({ 'publish.sending': true, 'publish.error': '' });
      return admin.publish(this.data.orderId, event.detail.day).then(
        () => {
          this.setData({ publish: closedPublish() });
          wx.showToast({ title: '已发布揭榜', icon: 'success' });
          this.backToOrder();
        },
        (error) => {
          if (error.status === 409) {
            this.setData({ publish: closedPublish() });
            return this.explainConflict(error);
          }
          this.setData({ 'publish.sending': false, 'publish.error': error.message });
          return null;
        },
      );
    },
  },
});
