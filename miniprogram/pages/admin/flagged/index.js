// Visits the server flagged instead of silently accepting (too short, too
// long, out of area, no location, offline clock…): the admin reads why and
// decides 通过 or 不通过, always with a reason that is kept with the record.
const admin = require('../../../services/admin');

const SHEETS = Object.freeze({
  approve: {
    title: '通过：核实的情况',
    presets: ['已电话向需求方核实，专家确实到场服务', '定位有偏差，服务地点在村内其他位置', '山区没有信号，离线签到属实'],
    confirmText: '通过',
    danger: false,
    toast: '已通过',
  },
  reject: {
    title: '不通过：核实的情况',
    presets: ['经核实专家未到现场服务', '服务时间与实际不符', '需求方不认可这次服务'],
    confirmText: '不通过',
    danger: true,
    toast: '已不通过',
  },
});

function closedSheet() {
  return { mode: '', visitId: null, title: '', presets: [], confirmText: '', danger: false, sending: false, error: '' };
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
      return admin.listFlaggedVisits().then(
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

    onOpenReview(event) {
      const { id, mode } = event.currentTarget.dataset;
      const config = SHEETS[mode];
      this.setData({
        sheet: {
          mode,
          visitId: Number(id),
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
      const { mode, visitId, sending } = this.data.sheet;
      if (sending || !SHEETS[mode]) {
        return Promise.resolve();
      }
      this.setData({ 'sheet.sending': true, 'sheet.error': '' });
      return admin.reviewVisit(visitId, mode === 'approve', event.detail.reason).then(
        () => {
          this.setData({
            sheet: closedSheet(),
            items: this.data.items.filter((item) => item.id !== visitId),
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
