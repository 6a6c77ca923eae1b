/**
 * Offline check-in codes, derived on the requester's phone when there is no
 * signal. A port of backend/domain/offline_codes.py (its docstring is the
 * specification): RFC 6238 TOTP with HMAC-SHA256, 8 digits, T0 = 0, keyed
 * by the order's secret for the China calendar day the time step starts on.
 * tests/miniprogram/offline-code.test.js compares it with the Python code.
 */

const { hmacSha256, hexToBytes } = require('./sha256');

const PREFIX = 'OFF1';
const DIGITS = 8;
const DEFAULT_STEP_SECONDS = 60;
// China has one fixed offset and no daylight saving, so no time-zone database is needed.
const CHINA_OFFSET_SECONDS = 8 * 3600;
const TWO_POW_32 = 0x100000000;

function pad2(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** The time step a moment (ms since the epoch) falls in. */
function counterAt(ms, step = DEFAULT_STEP_SECONDS) {
  return Math.floor(Math.floor(ms / 1000) / step);
}

/** The China calendar date ('YYYY-MM-DD') whose secret signs this step. */
function dayOf(counter, step = DEFAULT_STEP_SECONDS) {
  const date = new Date((counter * step + CHINA_OFFSET_SECONDS) * 1000);
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

/** The counter as an 8-byte big-endian unsigned integer (counters stay far below 2^53). */
function counterBytes(counter) {
  const out = new Uint8Array(8);
  const high = Math.floor(counter / TWO_POW_32);
  const low = counter % TWO_POW_32;
  for (let i = 0; i < 4; i += 1) {
    out[3 - i] = Math.floor(high / 2 ** (8 * i)) & 0xff;
    out[7 - i] = Math.floor(low / 2 ** (8 * i)) & 0xff;
  }
  return out;
}

/** RFC 4226 HOTP with HMAC-SHA256: the 8-digit code of `counter` under a secret given as hex. */
function hotp(secretHex, counter, digits = DIGITS) {
  const key = hexToBytes(secretHex);
  if (!key || key.length === 0) {
    return null;
  }
  const mac = hmacSha256(key, counterBytes(counter));
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[offset] & 0x7f) * 0x1000000) + (mac[offset + 1] << 16) + (mac[offset + 2] << 8) + mac[offset + 3];
  const code = String(bin % 10 ** digits);
  return '0'.repeat(digits - code.length) + code;
}

/** The QR text an expert's phone scans: OFF1.<order>.<counter>.<code>. */
function codeText(orderId, counter, code) {
  return `${PREFIX}.${orderId}.${counter}.${code}`;
}

/**
 * The offline code to show now, from the stored secrets
 * ({step_seconds, secrets: [{date, secret}]}), or null when none of them
 * covers today (the phone has been offline for longer than they last).
 * Returns {text, code, counter, day, secondsLeft}.
 */
function currentCode(orderId, stored, nowMs) {
  const step = (stored && Number(stored.step_seconds)) || DEFAULT_STEP_SECONDS;
  const counter = counterAt(nowMs, step);
  const day = dayOf(counter, step);
  const entry = ((stored && stored.secrets) || []).find((each) => each.date === day);
  const code = entry ? hotp(entry.secret, counter) : null;
  if (!code) {
    return null;
  }
  const nextStepMs = (counter + 1) * step * 1000;
  return {
    text: codeText(orderId, counter, code),
    code,
    counter,
    day,
    secondsLeft: Math.max(1, Math.ceil((nextStepMs - nowMs) / 1000)),
  };
}

module.exports = {
  PREFIX,
  DIGITS,
  DEFAULT_STEP_SECONDS,
  counterAt,
  dayOf,
  counterBytes,
  hotp,
  codeText,
  currentCode,
};
