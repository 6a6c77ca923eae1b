// My hours: progress toward the year's 10 service days (the continuing
// education the policy grants), hours counted and still waiting, the rule
// that turns hours into days, each visit with why it may be held up, and the
// verifiable certificate as a PDF.
const expert = require('../../../services/expert');
const visits = require('../../../services/visits');

// The platform's first year; the server refuses certificates before it anyway.
const FIRST_YEAR = 2024;

Component({
  data: {
    status: 'loading', // loading | error | ready
    errorMessage: '',
    year: 0,
    thisYear: 0,
    canGoBack: false,
    canGoForward: false,
    ledger: null,
    visits: [],
    downloading: false,
  },

  methods: {
    onLoad(query) {
      const thisYear = new Date().getFullYear();
      const asked = Number(query && query.year);
      const year = asked >= FIRST_YEAR && asked <= thisYear ? asked : thisYear;
      this.setData({ thisYear });
      return this.showYear(year);
    },

    showYear(year) {
      this.setData({
        year,
        canGoBack: year > FIRST_YEAR,
        canGoForward: year < this.data.thisYear,
        status: 'loading',
        errorMessage: '',
      });
      // The list is secondary: the progress still shows when it cannot load.
      const list = visits.listVisits(year).catch(() => []);
      return Promise.all([expert.ledger(year), list]).then(
        ([ledger, items]) => {
          if (year !== this.data.year) {
            return; // the expert switched years while this one loaded
          }
          this.setData({ status: 'ready', ledger, visits: items });
        },
        (error) => {
          if (year === this.data.year) {
            this.setData({ status: 'error', errorMessage: error.message });
          }
        },
      );
    },

    onPrevYear() {
      return this.data.canGoBack ? this.showYear(this.data.year - 1) : Promise.resolve();
    },

    onNextYear() {
      return this.data.canGoForward ? this.showYear(this.data.year + 1) : Promise.resolve();
    },

    onRetry() {
      return this.showYear(this.data.year);
    },

    onDownload() {
      if (this.data.downloading) {
        return Promise.resolve();
      }
      this.setData({ downloading: true });
      return expert.downloadCertificate(this.data.year).then(
        () => this.setData({ downloading: false }),
        (error) => {
          this.setData({ downloading: false });
          wx.showModal({ title: '证明没有开出来', content: error.message, showCancel: false, confirmText: '知道了' });
        },
      );
    },
  },
});
