/**
 * The bottom sheet in which an expert answers an assignment: 接单 (with an
 * optional visit time agreed with the requester) or 谢绝 (a reason is
 * required: the dispatcher needs it to choose someone else). Emits `done`
 * with {mode, order} after the server agreed, `stale` with {message} when the
 * order changed meanwhile (409), and `close`.
 */
const subscribe = require('../../services/subscribe');
const expert = require('../../services/expert');
const { today } = require('../../utils/format');

// The backend wants 2–300 characters; preset reasons save typing in a field.
const REASON_MIN = 2;
const DECLINE_REASONS = Object.freeze([
  '时间冲突，近期去不了',
  '不是我的专业方向',
  '路途太远，无法按时到达',
  '身体原因，暂时不能外出',
]);

function freshState() {
  return { day: '', time: '', picked: -1, reason: '', error: '', sending: false };
}

Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    mode: { type: String, value: '' }, // '' (closed) | accept | decline
    orderId: { type: null, value: '' },
    taskTitle: { type: String, value: '' },
  },
  data: Object.assign({ reasons: DECLINE_REASONS, startDay: '' }, freshState()),

  observers: {
    mode(mode) {
      if (mode) {
        this.setData(Object.assign(freshState(), { startDay: today() }));
      }
    },
  },

  methods: {
    onDayChange(event) {
      this.setData({ day: event.detail.value, error: '' });
    },
    onTimeChange(event) {
      this.setData({ time: event.detail.value, error: '' });
    },
    onClearTime() {
      this.setData({ day: '', time: '' });
    },
    onPickReason(event) {
      const index = Number(event.currentTarget.dataset.index);
      this.setData({ picked: index, reason: DECLINE_REASONS[index], error: '' });
    },
    onReasonInput(event) {
      this.setData({ picked: -1, reason: event.detail.value, error: '' });
    },
    onClose() {
      if (!this.data.sending) {
        this.triggerEvent('close');
      }
    },

    onConfirm() {
      if (this.data.sending) {
        return Promise.resolve();
      }
      const { mode } = this.properties;
      let send;
      if (mode === 'decline') {
        const reason = this.data.reason.trim();
        if (reason.length < REASON_MIN) {
          this.setData({ error: '请点一个原因，或写几个字说明为什么谢绝' });
          return Promise.resolve();
        }
        send = () => expert.declineTask(this.properties.orderId, reason);
      } else {
        subscribe.ask('expertAnswer');
        send = () => expert.acceptTask(this.properties.orderId, { day: this.data.day, time: this.data.time });
      }
      this.setData({ sending: true, error: '' });
      return send().then(
        (order) => {
          this.setData({ sending: false });
          this.triggerEvent('done', { mode, order });
        },
        (error) => {
          this.setData({ sending: false });
          if (error.status === 409) {
            this.triggerEvent('stale', { message: error.message });
            return;
          }
          const fieldMessage = error.fields && (error.fields.visit_at || error.fields.reason);
          this.setData({ error: fieldMessage || error.message });
        },
      );
    },
  },
});
