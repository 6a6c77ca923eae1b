// Written with Component() rather than Page() so that it also loads in
// miniprogram-simulate for tests; WeChat runs both the same way.
const auth = require('../../services/auth');
const offlineQueue = require('../../services/offline-queue');

const LOGIN_FAILED_MESSAGE = '登录没有成功，请稍后重试';
const REQUESTER_MENU_URL = '/pages/requester/menu/index';
// The expert's four ways in, in the order of a working day in the field.
const EXPERT_URLS = Object.freeze({
  tasks: '/pages/expert/tasks/index',
  board: '/pages/expert/board/index',
  scan: '/pages/expert/scan/index',
  hours: '/pages/expert/hours/index',
});
// The admin's ways in (local_admin and province_admin alike), most used first.
const ADMIN_URLS = Object.freeze({
  queue: '/pages/admin/queue/index',
  flagged: '/pages/admin/flagged/index',
  followUps: '/pages/admin/follow-ups/index',
  experts: '/pages/admin/experts/index',
  figures: '/pages/admin/figures/index',
});

function greetingFor(user) {
  return user.nickname ? `您好，${user.nickname}` : '您好';
}

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    greeting: '',
    activeRole: '',
    activeRoleLabel: '',
    roles: [],
    switchingRole: '',
    offlinePending: 0,
  },

  lifetimes: {
    attached() {
      const app = getApp();
      this.showLogin(app.globalData.loginReady || app.relogin());
    },
  },

  pageLifetimes: {
    // Back on the home page, perhaps with signal again: upload what waits.
    show() {
      if (this.data.activeRole === 'expert') {
        this.syncOffline();
      }
    },
  },

  methods: {
    showLogin(loginReady) {
      this.setData({ status: 'loading', errorMessage: '' });
      return loginReady.then(({ user, error }) => {
        if (error || !user) {
          this.setData({
            status: 'error',
            errorMessage: (error && error.message) || LOGIN_FAILED_MESSAGE,
          });
          return;
        }
        this.showUser(user);
      });
    },

    showUser(user) {
      this.setData({
        status: 'ready',
        errorMessage: '',
        greeting: greetingFor(user),
        activeRole: user.activeRole,
        activeRoleLabel: user.activeRoleLabel,
        roles: user.roles,
        switchingRole: '',
      });
      if (user.activeRole === 'expert') {
        this.syncOffline();
      }
    },

    /** Show how many offline scans wait, and upload them when the phone is online. */
    syncOffline() {
      this.setData({ offlinePending: offlineQueue.count() });
      if (!this.watchingNetwork) {
        this.watchingNetwork = true;
        offlineQueue.watchNetwork(() => this.setData({ offlinePending: offlineQueue.count() }));
      }
      return offlineQueue.flushIfOnline().then(() => this.setData({ offlinePending: offlineQueue.count() }));
    },

    onOpenExpert(event) {
      const url = EXPERT_URLS[event.currentTarget.dataset.target];
      if (url) {
        wx.navigateTo({ url });
      }
    },

    onOpenAdmin(event) {
      const url = ADMIN_URLS[event.currentTarget.dataset.target];
      if (url) {
        wx.navigateTo({ url });
      }
    },

    onRetry() {
      return this.showLogin(getApp().relogin());
    },

    onOpenRequesterMenu() {
      wx.navigateTo({ url: REQUESTER_MENU_URL });
    },

    onPickRole(event) {
      const { role } = event.currentTarget.dataset;
      // Ignore taps on the current role and double taps while switching:
      // older users often tap twice when nothing seems to happen at once.
      if (!role || role === this.data.activeRole || this.data.switchingRole) {
        return Promise.resolve();
      }
      this.setData({ switchingRole: role });
      return auth.switchRole(role).then(
        (user) => {
          this.showUser(user);
          wx.showToast({ title: `已切换为${user.activeRoleLabel}`, icon: 'none' });
        },
        (error) => {
          this.setData({ switchingRole: '' });
          wx.showToast({ title: error.message, icon: 'none', duration: 3000 });
        },
      );
    },
  },
});
