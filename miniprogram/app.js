const auth = require('./services/auth');

App({
  globalData: {
    // Resolves to {user, error}; it never rejects, so a failed login on a
    // bad signal is shown by the page instead of surfacing as an unhandled
    // rejection.
    loginReady: null,
  },

  onLaunch() {
    this.relogin();
  },

  /** Start a silent login and publish it as globalData.loginReady. */
  relogin() {
    this.globalData.loginReady = auth.silentLogin().then(
      (user) => ({ user, error: null }),
      (error) => ({ user: null, error }),
    );
    return this.globalData.loginReady;
  },
});
