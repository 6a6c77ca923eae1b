// One task as the expert needs it in the field: the problem, the place (with
// 导航), the requester's phone (拨打, once accepted), the visits so far, and
// the buttons the server's `actions` allow.
const expert = require('../../../services/expert');
const visits = require('../../../services/visits');
const location = require('../../../utils/location');
const recordPage = require('../../../behaviors/record-page');

const SCAN_URL = '/pages/expert/scan/index';
const LOG_URL = '/pages/expert/log/index';

function fetchTask(taskId) {
  // The visit list is a nice-to-have here: without it the task still shows.
  const visitList = visits.visitsOfOrder(taskId).catch(() => []);
  return Promise.all([expert.getTask(taskId), visitList]).then(([task, list]) => ({
    task,
    visits: list,
    openVisit: list.find((visit) => visit.isOpen) || null,
  }));
}

Component({
  // Back from scanning or the log it reloads: show the new state and visits.
  behaviors: [recordPage({ idKey: 'taskId', recordKey: 'task', fetch: fetchTask })],

  data: {
    taskId: '',
    task: null,
    visits: [],
    openVisit: null,
    sheetMode: '',
  },

  methods: {
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
