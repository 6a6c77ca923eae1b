/**
 * Horizontal bars drawn with plain views: one row per item, label and value
 * above a track whose fill is `width` % wide (computed by services/figures.js
 * relative to the largest value). No canvas, so it renders everywhere,
 * including tests, and text stays selectable and large.
 */
Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    title: { type: String, value: '' },
    unit: { type: String, value: '' },
    // [{key, label, valueText, width}]
    bars: { type: Array, value: [] },
    emptyText: { type: String, value: '这段时间还没有数据' },
    highlightFirst: { type: Boolean, value: true },
  },
  data: {
    hasValues: false,
  },
  observers: {
    bars(bars) {
      this.setData({ hasValues: (bars || []).some((bar) => bar.width > 0) });
    },
  },
});
