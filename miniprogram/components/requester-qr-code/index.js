/**
 * A QR code drawn on the phone from text (the check-in token or an offline
 * OFF1 code), as plain views: each horizontal run of dark modules is one
 * absolutely placed view. No canvas and no server-side image, so it draws
 * the same in WeChat, in tests and in the page renderer, and a row of runs
 * keeps the node count to a few hundred even for a long token.
 */
const qrcode = require('../../utils/qrcode');

// M recovers from 15% damage: a cracked or dusty screen still scans.
const ERROR_CORRECTION = 'M';
// Quiet zone around the symbol, in modules (the standard asks for 4; 2
// scans reliably in WeChat and leaves the modules bigger).
const QUIET_MODULES = 2;

function percent(value) {
  return `${Math.round(value * 10000) / 10000}%`;
}

/** The dark runs of a text's QR matrix as view styles, and its module count. */
function darkRuns(text) {
  const qr = qrcode(0, ERROR_CORRECTION);
  qr.addData(text, 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const total = count + QUIET_MODULES * 2;
  const unit = 100 / total;
  const runs = [];
  for (let row = 0; row < count; row += 1) {
    let col = 0;
    while (col < count) {
      if (!qr.isDark(row, col)) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < count && qr.isDark(row, col)) {
        col += 1;
      }
      runs.push({
        k: `${row}-${start}`,
        s: `left:${percent((start + QUIET_MODULES) * unit)};top:${percent((row + QUIET_MODULES) * unit)};`
          + `width:${percent((col - start) * unit)};height:${percent(unit)};`,
      });
    }
  }
  return { count, runs };
}

Component({
  properties: {
    text: { type: String, value: '' },
    // The whole square including the quiet zone, in rpx; 560 or more scans from arm's length.
    size: { type: Number, value: 600 },
    // Greyed out while a code is being replaced or has run out.
    faded: { type: Boolean, value: false },
  },
  data: {
    runs: [],
    moduleCount: 0,
    failed: false,
  },
  observers: {
    text(text) {
      if (!text) {
        this.setData({ runs: [], moduleCount: 0, failed: false });
        return;
      }
      try {
        const { count, runs } = darkRuns(text);
        this.setData({ runs, moduleCount: count, failed: false });
      } catch (err) {
        // Text too long for any QR version: say so rather than draw nothing.
        this.setData({ runs: [], moduleCount: 0, failed: true });
      }
    },
  },
});
