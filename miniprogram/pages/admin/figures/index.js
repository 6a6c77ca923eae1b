// 跟踪问效 for the admin's region: a period (本月 / 本年 / 自定义), the key
// numbers, bars by sub-region and by field for one measure at a time, and
// 导出 Excel to open the same figures in the office's spreadsheet.
const figures = require('../../../services/figures');
const { today, formatDay } = require('../../../utils/format');

Component({
  data: {
    periods: figures.PERIODS,
    period: 'month',
    from: '',
    to: '',
    fromText: '',
    toText: '',
    maxDay: '',
    metrics: figures.METRICS.map((metric) => ({ key: metric.key, label: metric.label })),
    metric: 'orders',
    status: 'loading', // loading | error | ready
    errorMessage: '',
    report: null,
    chart: null,
    exporting: false,
  },

  methods: {
    onLoad() {
      const range = figures.periodRange('month');
      this.setData({ from: range.from, to: range.to, maxDay: today() });
      return this.load();
    },

    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },

    load() {
      this.requestSeq = (this.requestSeq || 0) + 1;
      const seq = this.requestSeq;
      this.setData({
        status: 'loading', errorMessage: '', fromText: formatDay(this.data.from), toText: formatDay(this.data.to),
      });
      return figures.getFigures({ from: this.data.from, to: this.data.to }).then(
        (report) => {
          if (seq === this.requestSeq) {
            this.setData({ status: 'ready', report, chart: report.charts[this.data.metric] });
          }
        },
        (error) => {
          if (seq === this.requestSeq) {
            this.setData({ status: 'error', errorMessage: error.message });
          }
        },
      );
    },

    onRetry() {
      return this.load();
    },

    onPickPeriod(event) {
      const { key } = event.currentTarget.dataset;
      if (!key || key === this.data.period) {
        return Promise.resolve();
      }
      if (key === 'custom') {
        // Keep the days shown; the pickers below change them.
        this.setData({ period: key });
        return Promise.resolve();
      }
      const range = figures.periodRange(key);
      this.setData({ period: key, from: range.from, to: range.to });
      return this.load();
    },

    onFromChange(event) {
      const from = event.detail.value;
      const to = this.data.to < from ? from : this.data.to;
      this.setData({ from, to });
      return this.load();
    },

    onToChange(event) {
      const to = event.detail.value;
      const from = this.data.from > to ? to : this.data.from;
      this.setData({ from, to });
      return this.load();
    },

    onPickMetric(event) {
      const { key } = event.currentTarget.dataset;
      if (key) {
        this.setData({ metric: key, chart: this.data.report ? this.data.report.charts[key] : null });
      }
    },

    onExport() {
      if (this.data.exporting) {
        return Promise.resolve();
      }
      this.setData({ exporting: true });
      return figures.exportExcel({ from: this.data.from, to: this.data.to }).then(
        () => this.setData({ exporting: false }),
        (error) => {
          this.setData({ exporting: false });
          wx.showModal({ title: '没有导出', content: error.message, showCancel: false, confirmText: '知道了' });
        },
      );
    },
  },
});
