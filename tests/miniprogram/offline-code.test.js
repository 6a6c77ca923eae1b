/**
 * The phone's offline codes must equal the server's: the JS port in
 * utils/offline-code.js is compared with backend/domain/offline_codes.py run
 * by the project's Python, and the HMAC under it with RFC 4231's vectors.
 */

const { execFileSync } = require('child_process');
const path = require('path');
const { sha256, hmacSha256, utf8Bytes, hexToBytes, bytesToHex } = require('../../miniprogram/utils/sha256');
const offline = require('../../miniprogram/utils/offline-code');

const REPO = path.join(__dirname, '..', '..');
const PYTHON = path.join(REPO, '.venv', 'bin', 'python');

/**
 * Run Python with the backend importable and return its JSON output.
 * scripts/test.sh creates .venv before it runs these tests; without it they fail, not skip.
 */
function python(script, input) {
  const out = execFileSync(PYTHON, ['-c', script], {
    cwd: REPO,
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('SHA-256 and HMAC-SHA256', () => {
  test('SHA-256 gives the FIPS 180-4 digests', () => {
    expect(bytesToHex(sha256(utf8Bytes('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(sha256(utf8Bytes('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(sha256(utf8Bytes('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))))
      .toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(bytesToHex(sha256(utf8Bytes('a'.repeat(1000)))))
      .toBe('41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
  });

  // RFC 4231 §4.2–4.8 (case 5 truncates the output and is checked on its first 16 bytes).
  const RFC4231 = [
    {
      key: '0b'.repeat(20),
      data: '4869205468657265',
      mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    },
    {
      key: '4a656665',
      data: '7768617420646f2079612077616e7420666f72206e6f7468696e673f',
      mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    },
    {
      key: 'aa'.repeat(20),
      data: 'dd'.repeat(50),
      mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    },
    {
      key: '0102030405060708090a0b0c0d0e0f10111213141516171819',
      data: 'cd'.repeat(50),
      mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    },
    {
      key: '0c'.repeat(20),
      data: '546573742057697468205472756e636174696f6e',
      mac: 'a3b6167473100ee06e0c796c2955552b',
    },
    {
      key: 'aa'.repeat(131),
      data: '54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374',
      mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    },
    {
      key: 'aa'.repeat(131),
      data: bytesToHex(utf8Bytes('This is a test using a larger than block-size key and a larger than block-size data. '
        + 'The key needs to be hashed before being used by the HMAC algorithm.')),
      mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    },
  ];

  test.each(RFC4231.map((vector, i) => [i + 1, vector]))('RFC 4231 test case %i', (n, vector) => {
    const mac = bytesToHex(hmacSha256(hexToBytes(vector.key), hexToBytes(vector.data)));
    expect(mac.slice(0, vector.mac.length)).toBe(vector.mac);
  });
});

describe('offline codes equal the backend\'s', () => {
  const SERVER_KEY = 'test-signing-key-不要用于生产';
  const ORDER_ID = 42;
  // Counters around China midnight (a step of 23:59 belongs to the old day),
  // a leap day, a year boundary, and ordinary moments; step 60 s and one odd step.
  const CASES = [
    { counter: 29412345, step: 60 },
    { counter: 29412346, step: 60 },
    { counter: Math.floor(Date.UTC(2025, 11, 2, 15, 59, 0) / 60000), step: 60 },
    { counter: Math.floor(Date.UTC(2025, 11, 2, 16, 0, 0) / 60000), step: 60 },
    { counter: Math.floor(Date.UTC(2024, 1, 29, 3, 0, 0) / 60000), step: 60 },
    { counter: Math.floor(Date.UTC(2026, 11, 31, 16, 0, 30) / 60000), step: 60 },
    { counter: Math.floor(Date.UTC(2025, 5, 1, 0, 0, 0) / 30000), step: 30 },
  ];

  const SCRIPT = `
import json, sys
from backend.domain import offline_codes as c
args = json.load(sys.stdin)
out = []
for case in args["cases"]:
    day = c.day_of(case["counter"], case["step"])
    secret = c.day_secret(args["key"], args["order"], day).hex()
    code = c.code_for(args["key"], args["order"], case["counter"], case["step"])
    out.append({"day": day.isoformat(), "secret": secret, "code": code.code, "text": code.text})
print(json.dumps(out))
`;

  test('day, code and QR text match Python for several counters and dates', () => {
    const expected = python(SCRIPT, { key: SERVER_KEY, order: ORDER_ID, cases: CASES });

    CASES.forEach((testCase, i) => {
      const day = offline.dayOf(testCase.counter, testCase.step);
      expect(day).toBe(expected[i].day);
      const code = offline.hotp(expected[i].secret, testCase.counter);
      expect(code).toBe(expected[i].code);
      expect(offline.codeText(ORDER_ID, testCase.counter, code)).toBe(expected[i].text);
    });
  });

  test('the day secret the server sends is the same HMAC the phone can compute', () => {
    const [first] = python(SCRIPT, { key: SERVER_KEY, order: ORDER_ID, cases: [CASES[0]] });
    const mine = hmacSha256(utf8Bytes(SERVER_KEY), utf8Bytes(`zjfw:offline:v1:${ORDER_ID}:${first.day}`));
    expect(bytesToHex(mine)).toBe(first.secret);
  });

  test('the code shown now uses the stored secret of the step\'s China day', () => {
    const nowMs = Date.UTC(2025, 11, 2, 16, 0, 20); // 00:00:20 on 12月3日 in Beijing
    const counter = offline.counterAt(nowMs, 60);
    const [expected] = python(SCRIPT, { key: SERVER_KEY, order: ORDER_ID, cases: [{ counter, step: 60 }] });
    const stored = {
      step_seconds: 60,
      secrets: [
        { date: '2025-12-02', secret: 'ff'.repeat(32) },
        { date: expected.day, secret: expected.secret },
      ],
    };

    const shown = offline.currentCode(ORDER_ID, stored, nowMs);

    expect(expected.day).toBe('2025-12-03');
    expect(shown.text).toBe(expected.text);
    expect(shown.secondsLeft).toBe(40);
  });

  test('with no secret for today there is no code', () => {
    const stored = { step_seconds: 60, secrets: [{ date: '2020-01-01', secret: 'ab'.repeat(32) }] };
    expect(offline.currentCode(ORDER_ID, stored, Date.UTC(2025, 0, 1))).toBeNull();
    expect(offline.currentCode(ORDER_ID, null, Date.UTC(2025, 0, 1))).toBeNull();
  });

  test('the counter is packed as 8 big-endian bytes', () => {
    expect(Array.from(offline.counterBytes(0x0102030405))).toEqual([0, 0, 0, 1, 2, 3, 4, 5]);
  });
});
