// My orders: newest first, a coloured badge per status, pull down to
// refresh, more by cursor (scrolling to the end or the 加载更多 button).
const orders = require('../../../services/orders');

const PAGE_SIZE = 10;
const DETAIL_URL = '/pages/requester/order-detail/index';
const MENU_URL = '/pages/requester/menu/index';

Component({
  data: {
    status: 'loading', // loading | error | empty | ready
    errorMessage: '',
    items: [],
    nextCursor: null,
    loadingMore: false,
    moreError: '',
  },

  pageLifetimes: {
    // Back from an order that was cancelled or resubmitted: show its new state.
    show() {
      if (this.loadedOnce) {
        this.refresh();
      }
    },
  },

  methods: {
    onLoad() {
      return this.firstPage(true);
    },

    firstPage(showLoading) {
      if (showLoading) {
        this.setData({ status: 'loading', errorMessage: '' });
      }
      return orders.listOrders({ limit: PAGE_SIZE }).then(
        ({ items, nextCursor }) => {
          this.loadedOnce = true;
          this.setData({
            status: items.length ? 'ready' : 'empty',
            items,
            nextCursor,
            moreError: '',
          });
        },
        (error) => {
          if (showLoading || this.data.items.length === 0) {
            this.setData({ status: 'error', errorMessage: error.message });
          } else {
            // Keep the list the person is looking at; just say the refresh failed.
            wx.showToast({ title: error.message, icon: 'none' });
          }
        },
      );
    },

    refresh() {
      return this.firstPage(false);
    },

    onRetry() {
      return this.firstPage(true);
    },

    onPullDownRefresh() {
      return this.refresh().then(() => wx.stopPullDownRefresh());
    },

    onReachBottom() {
      return this.loadMore();
    },

    loadMore() {
      const { nextCursor, loadingMore } = this.data;
      if (!nextCursor || loadingMore) {
        return Promise.resolve();
      }
      this.setData({ loadingMore: true, moreError: '' });
      return orders.listOrders({ cursor: nextCursor, limit: PAGE_SIZE }).then(
        ({ items, nextCursor: after }) => {
          this.setData({
            items: this.data.items.concat(items),
            nextCursor: after,
            loadingMore: false,
          });
        },
        (error) => this.setData({ loadingMore: false, moreError: error.message }),
      );
    },

    onOpenOrder(event) {
      wx.navigateTo({ url: `${DETAIL_URL}?id=${event.currentTarget.dataset.id}` });
    },

    onGoMenu() {
      wx.navigateTo({ url: MENU_URL });
    },
  },
});
