// Experts of the region waiting to be verified: what they declared (title,
// employer, field, specialties, honours) and 通过 / 不通过 (with a reason the
// expert reads, so they can correct and resubmit).
const admin = require('../../../services/admin');

const REJECT_REASONS = Object.freeze([
  '职称证明与填写的职称不符',
  '工作单位信息不完整',
  '专长描述过于笼统，请写具体',
]);

function closedSheet() {
  return { open: false, expertId: null, sending: false, error: '' };
}

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    items: [],
    nextCursor: null,
    loadingMore: false,
    verifying: null,
    rejectReasons: REJECT_REASONS,
    sheet: closedSheet(),
  },

  methods: {
    onLoad() {
      return this.load(true);
    },

    onPullDownRefresh() {
      return this.load(false).then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },

    onReachBottom() {
      return this.loadMore();
    },

    load(showLoading) {
      if (showLoading) {
        this.setData({ status: 'loading', errorMessage: '' });
      }
      return admin.listPendingExperts().then(
        (page) => this.setData({ status: 'ready', items: page.items, nextCursor: page.nextCursor }),
        (error) => {
          if (showLoading || this.data.status !== 'ready') {
            this.setData({ status: 'error', errorMessage: error.message });
          } else {
            wx.showToast({ title: error.message, icon: 'none' });
          }
        },
      );
    },

    loadMore() {
      if (!this.data.nextCursor || this.data.loadingMore) {
        return Promise.resolve();
      }
      this.setData({ loadingMore: true });
      return admin.listPendingExperts({ cursor: this.data.nextCursor }).then(
        (page) => this.setData({
          items: this.data.items.concat(page.items), nextCursor: page.nextCursor, loadingMore: false,
        }),
        (error) => {
          this.setData({ loadingMore: false });
          wx.showToast({ title: error.message, icon: 'none' });
        },
      );
    },

    onRetry() {
      return this.load(true);
    },

    removeExpert(id) {
      this.setData({ items: this.data.items.filter((item) => item.id !== id) });
    },

    conflict(error) {
      wx.showModal({ title: '提示', content: error.message, showCancel: false, confirmText: '知道了' });
      return this.load(false);
    },

    onVerify(event) {
      const id = Number(event.currentTarget.dataset.id);
      const expert = this.data.items.find((item) => item.id === id);
      if (!expert || this.data.verifying) {
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        wx.showModal({
          title: '审核通过',
          content: `确认 ${expert.name} 的信息属实？通过后即可接受派单和揭榜。`,
          confirmText: '通过',
          cancelText: '再看看',
          success: (res) => resolve(Boolean(res && res.confirm)),
          fail: () => resolve(false),
        });
      }).then((confirmed) => {
        if (!confirmed) {
          return null;
        }
        this.setData({ verifying: id });
        return admin.verifyExpert(id).then(
          () => {
            this.setData({ verifying: null });
            this.removeExpert(id);
            wx.showToast({ title: '已通过', icon: 'success' });
          },
          (error) => {
            this.setData({ verifying: null });
            if (error.status === 409) {
              return this.conflict(error);
            }
            wx.showToast({ title: error.message, icon: 'none', duration: 3000 });
            return null;
          },
        );
      });
    },

    onOpenReject(event) {
      this.setData({ sheet: { open: true, expertId: Number(event.currentTarget.dataset.id), sending: false, error: '' } });
    },

    onSheetClose() {
      this.setData({ sheet: closedSheet() });
    },

    onSheetSubmit(event) {
      const { expertId, sending } = this.data.sheet;
      if (sending) {
        return Promise.resolve();
      }
      this.setData({ 'sheet.sending': true, 'sheet.error': '' });
      return admin.rejectExpert(expertId, event.detail.reason).then(
        () => {
          this.setData({ sheet: closedSheet() });
          this.removeExpert(expertId);
          wx.showToast({ title: '已退回专家修改', icon: 'none' });
        },
        (error) => {
          if (error.status === 409) {
            this.setData({ sheet: closedSheet() });
            return this.conflict(error);
          }
          this.setData({ 'sheet.sending': false, 'sheet.error': error.message });
          return null;
        },
      );
    },
  },
});
