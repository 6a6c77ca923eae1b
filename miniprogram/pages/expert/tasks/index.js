// The expert's assignments: what waits for an answer (接单 / 谢绝), where to
// go and scan in, and what is done. Also shows offline scans still waiting
// for signal, and uploads them when it can.
const expert = require('../../../services/expert');
const offlineQueue = require('../../../services/offline-queue');

const TASK_URL = '/pages/expert/task/index';
const SCAN_URL = '/pages/expert/scan/index';

function closedSheet() {
  return { mode: '', orderId: '', title: '' };
}

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    answer: [],
    onSite: [],
    done: [],
    isEmpty: false,
    pendingCount: 0,
    uploading: false,
    problems: [],
    sheet: closedSheet(),
  },

  lifetimes: {
    detached() {
      if (this.stopWatching) {
        this.stopWatching();
      }
    },
  },

  pageLifetimes: {
    show() {
      if (this.loadedOnce) {
        this.load(false);
        this.uploadOffline(false);
      }
    },
  },

  methods: {
    onLoad() {
      this.stopWatching = offlineQueue.watchNetwork(() => this.showQueue());
      this.showQueue();
      this.uploadOffline(false);
      return this.load(true);
    },

    onPullDownRefresh() {
      return this.load(false).then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },

    load(showLoading) {
      if (showLoading) {
        this.setData({ status: 'loading', errorMessage: '' });
      }
      return expert.listTasks().then(
        (groups) => {
          this.loadedOnce = true;
          this.setData({
            status: 'ready',
            answer: groups.answer,
            onSite: groups.onSite,
            done: groups.done,
            isEmpty: groups.total === 0,
          });
        },
        (error) => {
          if (showLoading || !this.loadedOnce) {
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

    showQueue() {
      this.setData({ pendingCount: offlineQueue.count(), problems: offlineQueue.problems() });
    },

    /** Upload the offline scans; `byHand` when the expert tapped 立即上传 and wants to hear the outcome. */
    uploadOffline(byHand) {
      if (this.data.uploading) {
        return Promise.resolve();
      }
      this.setData({ uploading: true });
      const run = byHand ? offlineQueue.flush() : offlineQueue.flushIfOnline();
      return run.then((result) => {
        this.setData({ uploading: false });
        this.showQueue();
        if (!result) {
          return;
        }
        if (result.uploaded.length) {
          this.load(false);
        }
        if (byHand && result.remaining) {
          wx.showToast({ title: '网络还不通，有信号时会自动上传', icon: 'none', duration: 3000 });
        } else if (result.uploaded.length && !result.rejected.length) {
          wx.showToast({ title: '离线记录已上传', icon: 'success' });
        }
      });
    },

    onUploadOffline() {
      return this.uploadOffline(true);
    },

    onDismissProblems() {
      offlineQueue.clearProblems();
      this.showQueue();
    },

    onOpenTask(event) {
      wx.navigateTo({ url: `${TASK_URL}?id=${event.currentTarget.dataset.id}` });
    },

    onScan(event) {
      wx.navigateTo({ url: `${SCAN_URL}?order=${event.currentTarget.dataset.id}` });
    },

    onAccept(event) {
      const { id, title } = event.currentTarget.dataset;
      this.setData({ sheet: { mode: 'accept', orderId: id, title } });
    },

    onDecline(event) {
      const { id, title } = event.currentTarget.dataset;
      this.setData({ sheet: { mode: 'decline', orderId: id, title } });
    },

    onSheetClose() {
      this.setData({ sheet: closedSheet() });
    },

    onSheetDone(event) {
      const { mode } = event.detail;
      this.setData({ sheet: closedSheet() });
      wx.showToast({ title: mode === 'decline' ? '已谢绝' : '已接单', icon: 'success' });
      return this.load(false);
    },

    onSheetStale(event) {
      this.setData({ sheet: closedSheet() });
      wx.showModal({ title: '提示', content: event.detail.message, showCancel: false, confirmText: '知道了' });
      return this.load(false);
    },
  },
});
