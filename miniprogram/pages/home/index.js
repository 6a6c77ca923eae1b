// Written with Component() rather than Page() so that it also loads in
// miniprogram-simulate for tests; WeChat runs both the same way.
const auth = require('../../services/auth');

const LOGIN_FAILED_MESSAGE = '登录没有成功，请稍后重试';
const REQUESTER_MENU_URL = '/pages/requester/menu/index';

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
  },

  lifetimes: {
    attached() {
      const app = getApp();
      this.showLogin(app.globalData.loginReady || app.relogin());
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
