/**
 * The loading / empty / error state every list and detail shows, so no
 * screen is ever just blank on a bad signal. Emits `retry` from 重试 and
 * `action` from the empty state's button.
 */
Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    status: { type: String, value: 'loading' }, // loading | empty | error
    loadingText: { type: String, value: '正在加载…' },
    message: { type: String, value: '' },
    emptyText: { type: String, value: '这里还没有内容' },
    actionText: { type: String, value: '' },
  },
  methods: {
    onRetry() {
      this.triggerEvent('retry');
    },
    onAction() {
      this.triggerEvent('action');
    },
  },
});
