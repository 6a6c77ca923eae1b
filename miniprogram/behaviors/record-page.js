/**
 * A page that shows one record named by `?id=` in its query (an order, a
 * task): 加载中 on opening, an error screen with 重试 while nothing is shown,
 * a toast when a quiet reload fails over what is already shown, and a quiet
 * reload when the person comes back from a page that may have changed it.
 *
 * options:
 *   idKey      the data field that keeps the id ('orderId', 'taskId');
 *   recordKey  the data field that holds the record once loaded;
 *   fetch(id)  resolves to the fields to show (at least recordKey);
 *   loaded     optional name of a page method to call with the record once
 *              it is shown (to fetch what hangs off it); load() waits for it.
 */
module.exports = function recordPage({ idKey, recordKey, fetch, loaded }) {
  return Behavior({
    data: {
      status: 'loading', // loading | error | ready
      errorMessage: '',
    },

    pageLifetimes: {
      show() {
        if (this.loadedOnce) {
          this.load(false);
        }
      },
    },

    methods: {
      onLoad(query) {
        this.setData({ [idKey]: String((query && query.id) || '') });
        return this.load(true);
      },

      load(showLoading) {
        if (showLoading) {
          this.setData({ status: 'loading', errorMessage: '' });
        }
        return fetch(this.data[idKey]).then(
          (fields) => {
            this.loadedOnce = true;
            this.setData(Object.assign({ status: 'ready' }, fields));
            return loaded ? this[loaded](fields[recordKey]) : undefined;
          },
          (error) => {
            if (showLoading || !this.data[recordKey]) {
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
    },
  });
};
