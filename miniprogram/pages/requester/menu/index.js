// The 点餐 menu: pick one or more service items, then go to the order form.
// The picks live in the order draft, so they survive leaving the page.
const menuService = require('../../../services/menu');
const draft = require('../../../utils/draft');

// The backend takes at most five items per order.
const MAX_ITEMS = 5;
const FORM_URL = '/pages/requester/order-form/index';
const ORDERS_URL = '/pages/requester/orders/index';

function codesOf(items) {
  const codes = {};
  items.forEach((item) => {
    codes[item.code] = true;
  });
  return codes;
}

Component({
  data: {
    status: 'loading', // loading | error | empty | ready
    errorMessage: '',
    categories: [],
    activeCode: '',
    activeCategory: null,
    selected: [],
    selectedCodes: {},
    selectedCount: 0,
  },

  lifetimes: {
    attached() {
      this.showSelection();
      this.load();
    },
  },

  pageLifetimes: {
    // Coming back from the form, where items may have been removed.
    show() {
      this.showSelection();
    },
  },

  methods: {
    load() {
      this.setData({ status: 'loading', errorMessage: '' });
      return menuService.fetchMenu().then(
        ({ categories }) => {
          if (categories.length === 0) {
            this.setData({ status: 'empty', categories: [] });
            return;
          }
          const keep = categories.find((category) => category.code === this.data.activeCode);
          const active = keep || categories[0];
          this.setData({
            status: 'ready',
            categories,
            activeCode: active.code,
            activeCategory: active,
          });
        },
        (error) => {
          this.setData({ status: 'error', errorMessage: error.message });
        },
      );
    },

    onRetry() {
      return this.load();
    },

    showSelection() {
      const selected = draft.loadOrderDraft().items || [];
      this.setData({
        selected,
        selectedCodes: codesOf(selected),
        selectedCount: selected.length,
      });
    },

    onPickCategory(event) {
      const { code } = event.currentTarget.dataset;
      const category = this.data.categories.find((each) => each.code === code);
      if (category) {
        this.setData({ activeCode: code, activeCategory: category });
      }
    },

    findItem(code) {
      for (const category of this.data.categories) {
        const item = category.items.find((each) => each.code === code);
        if (item) {
          return item;
        }
      }
      return null;
    },

    onToggleItem(event) {
      const { code } = event.currentTarget.dataset;
      const current = draft.loadOrderDraft().items || [];
      let items;
      if (current.some((item) => item.code === code)) {
        items = current.filter((item) => item.code !== code);
      } else {
        if (current.length >= MAX_ITEMS) {
          wx.showToast({ title: `一次最多选 ${MAX_ITEMS} 项`, icon: 'none' });
          return;
        }
        const item = this.findItem(code);
        if (!item) {
          return;
        }
        items = current.concat([{ code: item.code, name: item.name, categoryName: item.categoryName }]);
      }
      draft.updateOrderDraft({ items });
      this.showSelection();
    },

    onGoOrder() {
      if (this.data.selectedCount === 0) {
        wx.showToast({ title: '请先点选要请专家做的事', icon: 'none' });
        return;
      }
      wx.navigateTo({ url: FORM_URL });
    },

    onOpenOrders() {
      wx.navigateTo({ url: ORDERS_URL });
    },
  },
});
