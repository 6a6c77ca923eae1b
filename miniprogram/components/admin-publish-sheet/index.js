/**
 * The sheet for 发布揭榜: pick the last day experts may claim the order, or
 * leave it to the server's default (5 working days). Emits `submit` with
 * {day} ('YYYY-MM-DD' or '') and `close`; the parent sends the request and
 * passes `sending` and the server's `error` back.
 */
const { today, addDays, formatDayWithWeekday } = require('../../utils/format');

Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    open: { type: Boolean, value: false },
    sending: { type: Boolean, value: false },
    error: { type: String, value: '' },
  },
  data: {
    day: '',
    dayText: '',
    startDay: '',
  },

  observers: {
    open(open) {
      if (open) {
        this.setData({ day: '', dayText: '', startDay: addDays(today(), 1) });
      }
    },
  },

  methods: {
    onDayChange(event) {
      const day = event.detail.value;
      this.setData({ day, dayText: formatDayWithWeekday(day) });
    },

    onClearDay() {
      this.setData({ day: '', dayText: '' });
    },

    onConfirm() {
      if (!this.properties.sending) {
        this.triggerEvent('submit', { day: this.data.day });
      }
    },

    onClose() {
      if (!this.properties.sending) {
        this.triggerEvent('close');
      }
    },

    onSheetTap() {},
  },
});
