// 回访: visits rated low or never rated. The admin calls the requester,
// writes down what they heard, and decides whether the visit's hours count
// (认定时长) or not (不认定).
const admin = require('../../../services/admin');

const ORDER_URL = '/pages/admin/order/index';

const SHEETS = Object.freeze({
  approve: {
    title: '回访情况（认定时长）',
    presets: ['已电话回访，需求方确认专家到场服务', '需求方对服务基本满意，问题已部分解决', '需求方忘记评价，服务属实'],
    confirmText: '认定时长',
    danger: false,
    toast: '已认定',
  },
  reject: {
    title: '回访情况（不认定）',
    presets: ['需求方反映专家未到场', '服务内容与需求不符，问题未解决', '多次联系需求方均未接通，无法核实'],
    confirmText: '不认定',
    danger: true,
    toast: '已不认定',
  },
});

function closedSheet() {
  return { mode: '', followUpId: null, title: '', presets: [], confirmText: '', danger: false, sending: false, error: '' };
}

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    items: [],
    sheet: closedSheet(),
  },

  methods: {
    onLoad() {
      return this.load(true);
    },

    onPullDownRefresh() {
      return this.load(false).then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },

    load(showLoading) {
      if (showLoading) {
        this.setData({ status: 'loading', errorMessage: '' });
      }
      return admin.listFollowUps().then(
        (items) => this.setData({ status: 'ready', items }),
        (error) => {
          if (showLoading || this.data.status !== 'ready') {
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

    onOpenOrder(event) {
      wx.navigateTo({ url: `${ORDER_URL}?id=${event.currentTarget.dataset.order}` });
    },

    onOpenClose(event) {
      const { id, mode } = event.currentTarget.dataset;
      const config = SHEETS[mode];
      this.setData({
        sheet: {
          mode,
          followUpId: Number(id),
          title: config.title,
          presets: config.presets,
          confirmText: config.confirmText,
          danger: config.danger,
          sending: false,
          error: '',
        },
      });
    },

    onSheetClose() {
      this.setData({ sheet: closedSheet() });
    },

    onSheetSubmit(event) {
      const { mode, followUpId, sending } = this.data.sheet;
      if (sending || !SHEETS[mode]) {
        return Promise.resolve();
      }
      this.setData({ 'sheet.sending': true, 'sheet.error': '' });
      return admin.closeFollowUp(followUpId, event.detail.reason, mode === 'approve').then(
        () => {
          this.setData({
            sheet: closedSheet(),
            items: this.data.items.filter((item) => item.id !== followUpId),
          });
          wx.showToast({ title: SHEETS[mode].toast, icon: 'success' });
        },
        (error) => {
          if (error.status === 409) {
            this.setData({ sheet: closedSheet() });
            wx.showModal({ title: '提示', content: error.message, showCancel: false, confirmText: '知道了' });
            return this.load(false);
          }
          this.setData({ 'sheet.sending': false, 'sheet.error': error.message });
          return null;
        },
      );
    },
  },
});
