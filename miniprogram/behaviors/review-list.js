/**
 * A list the admin works through one item at a time with 通过 / 不通过 (or
 * 认定 / 不认定), each decision written down in a reason sheet: the item
 * leaves the list once decided; when someone else decided first (409) the
 * sheet closes, says so, and the list is asked again.
 *
 * options:
 *   list()                     resolves to {items, total}: the items to show,
 *                              and how many are waiting in all (a queue shows
 *                              its first 200); `more` is how many are not shown;
 *   decide(id, approve, reason) sends the decision;
 *   sheets                     {approve, reject}: title, presets, confirmText,
 *                              danger and the toast after sending;
 *   idKey                      the sheet field that keeps the item's id.
 */
module.exports = function reviewList({ list, decide, sheets, idKey }) {
  function closedSheet() {
    return {
      mode: '', [idKey]: null, title: '', presets: [], confirmText: '', danger: false, sending: false, error: '',
    };
  }

  return Behavior({
    data: {
      status: 'loading', // loading | error | ready
      errorMessage: '',
      items: [],
      more: 0,
      sheet: closedSheet(),
    },

    methods: {
      onLoad() {
        return this.load(true);
      },

      onPullDownRefresh() {
        return this.load(false).then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
      },

      load(showLoading) {
        if (showLoading) {
          this.setData({ status: 'loading', errorMessage: '' });
        }
        return list().then(
          ({ items, total }) => this.setData({ status: 'ready', items, more: total - items.length }),
          (error) => {
            if (showLoading || this.data.status !== 'ready') {
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

      /** Open the sheet for the tapped item; its data-id and data-mode (approve | reject) say which. */
      onOpenSheet(event) {
        const { id, mode } = event.currentTarget.dataset;
        const config = sheets[mode];
        this.setData({
          sheet: {
            mode,
            [idKey]: Number(id),
            title: config.title,
            presets: config.presets,
            confirmText: config.confirmText,
            danger: config.danger,
            sending: false,
            error: '',
          },
        });
      },

      onSheetClose() {
        this.setData({ sheet: closedSheet() });
      },

      onSheetSubmit(event) {
        const { mode, sending } = this.data.sheet;
        const id = this.data.sheet[idKey];
        if (sending || !sheets[mode]) {
          return Promise.resolve();
        }
        this.setData({ 'sheet.sending': true, 'sheet.error': '' });
        return decide(id, mode === 'approve', event.detail.reason).then(
          () => {
            this.setData({
              sheet: closedSheet(),
              items: this.data.items.filter((item) => item.id !== id),
            });
            wx.showToast({ title: sheets[mode].toast, icon: 'success' });
          },
          (error) => {
            if (error.status === 409) {
              this.setData({ sheet: closedSheet() });
              wx.showModal({ title: '提示', content: error.message, showCancel: false, confirmText: '知道了' });
              return this.load(false);
            }
            this.setData({ 'sheet.sending': false, 'sheet.error': error.message });
            return null;
          },
        );
      },
    },
  });
};
