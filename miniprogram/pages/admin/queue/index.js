// The region's queue: four tabs (待受理 / 待派单 / 揭榜中 / 待确认), each one
// status filter; every card shows the village, the items, how long it has
// waited and a red 超期 when its deadline has passed. Tap → the order.
const admin = require('../../../services/admin');

const ORDER_URL = '/pages/admin/order/index';

Component({
  data: {
    tabs: admin.QUEUE_TABS,
    tab: admin.QUEUE_TABS[0].key,
    status: 'loading', // loading | error | ready
    errorMessage: '',
    items: [],
    nextCursor: null,
    loadingMore: false,
    overdueCount: 0,
  },

  pageLifetimes: {
    // Back from an order that was acted on: show the queue as it is now.
    show() {
      if (this.loadedOnce) {
        this.load(false);
      }
    },
  },

  methods: {
    onLoad(query) {
      const wanted = query && query.tab;
      if (wanted && admin.QUEUE_TABS.some((tab) => tab.key === wanted)) {
        this.setData({ tab: wanted });
      }
      return this.load(true);
    },

    onPullDownRefresh() {
      return this.load(false).then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },

    onReachBottom() {
      return this.loadMore();
    },

    currentStatus() {
      const tab = admin.QUEUE_TABS.find((item) => item.key === this.data.tab);
      return tab.status;
    },

    load(showLoading) {
      // A tap on another tab while this one loads must not show this one's list there.
      this.requestSeq = (this.requestSeq || 0) + 1;
      const seq = this.requestSeq;
      if (showLoading) {
        this.setData({ status: 'loading', errorMessage: '', items: [], nextCursor: null });
      }
      return admin.listQueue({ status: this.currentStatus() }).then(
        (page) => {
          if (seq !== this.requestSeq) {
            return;
          }
          this.loadedOnce = true;
          this.setData({
            status: 'ready',
            items: page.items,
            nextCursor: page.nextCursor,
            overdueCount: page.items.filter((item) => item.overdue).length,
          });
        },
        (error) => {
          if (seq !== this.requestSeq) {
            return;
          }
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
      const seq = this.requestSeq;
      this.setData({ loadingMore: true });
      return admin.listQueue({ status: this.currentStatus(), cursor: this.data.nextCursor }).then(
        (page) => {
          if (seq !== this.requestSeq) {
            return;
          }
          const items = this.data.items.concat(page.items);
          this.setData({
            items,
            nextCursor: page.nextCursor,
            loadingMore: false,
            overdueCount: items.filter((item) => item.overdue).length,
          });
        },
        (error) => {
          this.setData({ loadingMore: false });
          wx.showToast({ title: error.message, icon: 'none' });
        },
      );
    },

    onPickTab(event) {
      const { key } = event.currentTarget.dataset;
      if (!key || key === this.data.tab) {
        return Promise.resolve();
      }
      this.setData({ tab: key });
      return this.load(true);
    },

    onRetry() {
      return this.load(true);
    },

    onOpenOrder(event) {
      wx.navigateTo({ url: `${ORDER_URL}?id=${event.currentTarget.dataset.id}` });
    },
  },
});
