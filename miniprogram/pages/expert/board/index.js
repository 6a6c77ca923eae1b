// The 揭榜 board: published needs that fit the expert's field, each with its
// claim deadline counting down. 揭榜 asks for confirmation first; when
// another expert was faster the board says so and refreshes.
const expert = require('../../../services/expert');

const TASK_URL = '/pages/expert/task/index';
// Minutes are the finest unit shown, so a tick a minute keeps the countdown honest.
const TICK_MS = 60 * 1000;

function confirm(content) {
  return new Promise((resolve) => {
    wx.showModal({
      title: '确认揭榜',
      content,
      confirmText: '揭榜',
      cancelText: '再想想',
      success: (res) => resolve(Boolean(res && res.confirm)),
      fail: () => resolve(false),
    });
  });
}

function tell(content) {
  wx.showModal({ title: '提示', content, showCancel: false, confirmText: '知道了' });
}

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    items: [],
    claimingId: null,
  },

  lifetimes: {
    detached() {
      clearInterval(this.ticker);
    },
  },

  pageLifetimes: {
    show() {
      if (this.loadedOnce) {
        this.load(false);
      }
      this.startTicking();
    },
    hide() {
      clearInterval(this.ticker);
      this.ticker = null;
    },
  },

  methods: {
    onLoad() {
      this.startTicking();
      return this.load(true);
    },

    onPullDownRefresh() {
      return this.load(false).then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },

    startTicking() {
      if (!this.ticker) {
        this.ticker = setInterval(() => this.tick(), TICK_MS);
      }
    },

    tick() {
      const now = new Date();
      const raw = this.raw || [];
      this.setData({ items: raw.map((order) => expert.toBoardCard(order, now)) });
    },

    load(showLoading) {
      if (showLoading) {
        this.setData({ status: 'loading', errorMessage: '' });
      }
      return expert.board().then(
        (page) => {
          this.loadedOnce = true;
          // Keep the API's deadlines so each tick recomputes the countdown text from them.
          this.raw = page.orders;
          this.setData({ status: 'ready', items: page.items });
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

    onOpen(event) {
      wx.navigateTo({ url: `${TASK_URL}?id=${event.currentTarget.dataset.id}` });
    },

    onClaim(event) {
      const id = event.currentTarget.dataset.id;
      const card = this.data.items.find((item) => String(item.id) === String(id));
      if (!card || this.data.claimingId) {
        return Promise.resolve();
      }
      return confirm(`揭榜「${card.itemsText}」（${card.regionName}）？揭榜后由管理员确认，确认后请按时上门。`)
        .then((yes) => {
          if (!yes) {
            return null;
          }
          this.setData({ claimingId: id });
          return expert.claim(id).then(
            () => {
              this.setData({ claimingId: null });
              wx.showToast({ title: '揭榜成功，等待管理员确认', icon: 'none', duration: 3000 });
              return this.load(false);
            },
            (error) => {
              this.setData({ claimingId: null });
              if (error.status === 409) {
                tell(error.code === 'claim_closed' ? '揭榜已截止' : '已被其他专家揭榜');
                return this.load(false);
              }
              tell(error.message);
              return null;
            },
          );
        });
    },
  },
});
