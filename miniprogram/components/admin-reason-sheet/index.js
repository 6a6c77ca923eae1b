/**
 * A bottom sheet that asks an admin for a reason (or a follow-up's outcome)
 * before an action: preset reasons to tap, or a few words typed. A reason is
 * required: `submit` fires with {reason} only when there is one. The parent
 * sends the request and passes `sending` and the server's `error` back.
 * Emits `submit` and `close`.
 */

// The backend wants 2–300 characters (2–1000 for an outcome).
const REASON_MIN = 2;

function freshState() {
  return { reason: '', picked: -1, localError: '' };
}

Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    open: { type: Boolean, value: false },
    title: { type: String, value: '' },
    hint: { type: String, value: '点一个原因，或者自己写' },
    presets: { type: Array, value: [] },
    placeholder: { type: String, value: '其他原因' },
    confirmText: { type: String, value: '确定' },
    cancelText: { type: String, value: '取消' },
    requiredMessage: { type: String, value: '请点一个原因，或写几个字说明' },
    danger: { type: Boolean, value: false },
    multiline: { type: Boolean, value: false },
    maxlength: { type: Number, value: 300 },
    sending: { type: Boolean, value: false },
    error: { type: String, value: '' },
  },
  data: freshState(),

  observers: {
    open(open) {
      if (open) {
        this.setData(freshState());
      }
    },
  },

  methods: {
    onPick(event) {
      const index = Number(event.currentTarget.dataset.index);
      this.setData({ picked: index, reason: this.properties.presets[index], localError: '' });
    },

    onInput(event) {
      this.setData({ picked: -1, reason: event.detail.value, localError: '' });
    },

    onConfirm() {
      if (this.properties.sending) {
        return;
      }
      const reason = (this.data.reason || '').trim();
      if (reason.length < REASON_MIN) {
        this.setData({ localError: this.properties.requiredMessage });
        return;
      }
      this.triggerEvent('submit', { reason });
    },

    onClose() {
      if (!this.properties.sending) {
        this.triggerEvent('close');
      }
    },

    // Taps inside the sheet must not reach the mask (which closes it).
    onSheetTap() {},
  },
});
