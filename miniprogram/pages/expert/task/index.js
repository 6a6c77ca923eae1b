// One task as the expert needs it in the field: the problem, the place (with
// 导航), the requester's phone (拨打, once accepted), the visits so far, and
// the buttons the server's `actions` allow.
const expert = require('../../../services/expert');
const visits = require('../../../services/visits');
const location = require('../../../utils/location');

const SCAN_URL = '/pages/expert/scan/index';
const LOG_URL = '/pages/expert/log/index';

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    taskId: '',
    task: null,
    visits: [],
    openVisit: null,
    sheetMode: '',
  },

  pageLifetimes: {
    // Back from scanning or the log: show the new state and visits.
    show() {
      if (this.loadedOnce) {
        this.load(false);
      }
    },
  },

  methods: {
    onLoad(query) {
      this.setData({ taskId: String((query && query.id) || '') });
      return this.load(true);
    },

    load(showLoading) {
      if (showLoading) {
        this.setData({ status: 'loading', errorMessage: '' });
      }
      const taskId = this.data.taskId;
      // The visit list is a nice-to-have here: without it the task still shows.
      const visitList = visits.visitsOfOrder(taskId).catch(() => []);
      return Promise.all([expert.getTask(taskId), visitList]).then(
        ([task, list]) => {
          this.loadedOnce = true;
          this.setData({
            status: 'ready',
            task,
            visits: list,
            openVisit: list.find((visit) => visit.isOpen) || null,
          });
        },
        (error) => {
          if (showLoading || !this.data.task) {
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

    onNavigate() {
      const { task } = this.data;
      location.navigateTo({
        latitude: task.latitude,
        longitude: task.longitude,
        name: task.regionName || task.itemsText,
        address: task.address,
      });
    },

    onCall() {
      wx.makePhoneCall({ phoneNumber: this.data.task.contactPhone, fail: () => null });
    },

    onScan() {
      wx.navigateTo({ url: `${SCAN_URL}?order=${this.data.task.id}` });
    },

    onCheckOut() {
      wx.navigateTo({ url: `${SCAN_URL}?order=${this.data.task.id}&visit=${this.data.openVisit.id}` });
    },

    onWriteLog(event) {
      wx.navigateTo({ url: `${LOG_URL}?visit=${event.currentTarget.dataset.id}` });
    },

    onAccept() {
      this.setData({ sheetMode: 'accept' });
    },

    onDecline() {
      this.setData({ sheetMode: 'decline' });
    },

    onSheetClose() {
      this.setData({ sheetMode: '' });
    },

    onSheetDone(event) {
      this.setData({ sheetMode: '' });
      wx.showToast({ title: event.detail.mode === 'decline' ? '已谢绝' : '已接单', icon: 'success' });
      return this.load(false);
    },

    onSheetStale(event) {
      this.setData({ sheetMode: '' });
      wx.showModal({ title: '提示', content: event.detail.message, showCancel: false, confirmText: '知道了' });
      return this.load(false);
    },
  },
});
