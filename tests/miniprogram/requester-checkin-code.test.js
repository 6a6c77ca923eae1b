const path = require('path');
const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { MINIPROGRAM_ROOT, textOf } = require('./helpers/miniprogram');
const offlineCode = require('../../miniprogram/utils/offline-code');
const qrcode = require('../../miniprogram/utils/qrcode');
const { find, installLoggedInWx, mockWx, shown } = require('./helpers/page');

const PAGE = 'pages/requester/checkin-code/index';
// 10:00:20 on 3 December 2025 in Beijing.
const NOW = Date.UTC(2025, 11, 3, 2, 0, 20);

/** What the QR of `text` should draw: its size and where its dark runs start ('row-col'). */
function darkRuns(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const starts = [];
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (qr.isDark(row, col) && (col === 0 || !qr.isDark(row, col - 1))) {
        starts.push(`${row}-${col}`);
      }
    }
  }
  return { count, starts };
}

function codeBody(overrides = {}) {
  return Object.assign({
    token: 'header.payload-1.signature',
    order_id: 10,
    expires_in: 60,
    refresh_in: 45,
    expires_at: '2025-12-03T10:01:20+08:00',
    open_visit: false,
    rate_visit_id: null,
  }, overrides);
}

function secretsBody() {
  return {
    order_id: 10,
    format: 'OFF1',
    algorithm: 'HMAC-SHA256',
    digits: 8,
    step_seconds: 60,
    timezone: 'Asia/Shanghai',
    secrets: [
      { date: '2025-12-03', secret: '11'.repeat(32) },
      { date: '2025-12-04', secret: '22'.repeat(32) },
    ],
    valid_until: '2025-12-04',
  };
}

function ratingBody(overrides = {}) {
  return Object.assign({
    visit_id: 31, order_id: 10, overall: 5, attitude: 4, expertise: 5, solved: 'partly',
    solved_label: '部分解决', comment: '', photo_ids: [], editable_until: '2025-12-04T10:00:00+08:00',
    created_at: '2025-12-03T10:00:00+08:00',
  }, overrides);
}

let mock;
let screen;

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
  jest.resetModules();
  mock = installLoggedInWx();
  screen = { keepOn: [], brightness: [] };
  global.wx.setKeepScreenOn = jest.fn((options) => screen.keepOn.push(options.keepScreenOn));
  global.wx.getScreenBrightness = jest.fn((options) => options.success({ value: 0.4 }));
  global.wx.setScreenBrightness = jest.fn((options) => screen.brightness.push(options.value));
  mockWx('setNavigationBarTitle', 'navigateTo', 'redirectTo', 'navigateBack');
  mock.route('GET', '/orders/10/offline-secret', { statusCode: 200, data: secretsBody() });
});

afterEach(() => {
  jest.useRealTimers();
});

/**
 * Let answered requests and the page's promises run. Moves the clock by a
 * few milliseconds: fake timers do not run a 0 ms timer set while advancing
 * to the same instant.
 */
async function settle() {
  for (let i = 0; i < 6; i += 1) {
    await jest.advanceTimersByTimeAsync(1);
  }
}

async function wait(seconds) {
  await jest.advanceTimersByTimeAsync(seconds * 1000);
  await settle();
}

async function openPage(query = { id: '10' }) {
  const id = simulate.load(path.join(MINIPROGRAM_ROOT, PAGE), { rootPath: MINIPROGRAM_ROOT });
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  page.instance.onLoad(query);
  await settle();
  return page;
}

async function tap(page, selector) {
  find(page, selector).dispatchEvent('tap');
  await settle();
}

function qrOf(page, selector = '#qr') {
  const node = page.querySelector(selector);
  return node ? node.instance.data : null;
}

describe('the check-in code', () => {
  test('draws the token as a QR on the phone, keeps the screen on and bright, and stores the offline secrets', async () => {
    mock.route('GET', '/orders/10/checkin-code', { statusCode: 200, data: codeBody() });
    const page = await openPage();

    const qr = qrOf(page);
    const expected = darkRuns('header.payload-1.signature');
    expect(qr.moduleCount).toBe(expected.count);
    expect(qr.runs.map((run) => run.k)).toEqual(expected.starts);
    expect(page.querySelector('#qr').dom.querySelectorAll('[class*="qr-dark"]').length).toBe(expected.starts.length);
    expect(page.querySelector('#qr').instance.properties.size).toBeGreaterThanOrEqual(560);
    expect(shown(page, '#code-timer')).toBe('60 秒后自动换新码');
    expect(screen.keepOn).toEqual([true]);
    expect(screen.brightness).toEqual([0.9]);
    expect(mock.store.get('requester.offlineSecrets.10').secrets).toHaveLength(2);
  });

  test('counts down and fetches a new code at refresh_in, before the old one runs out', async () => {
    mock.route('GET', '/orders/10/checkin-code', (req, nth) => ({
      statusCode: 200,
      data: codeBody({ token: `header.payload-${nth}.signature` }),
    }));
    const page = await openPage();

    await wait(10);
    expect(shown(page, '#code-timer')).toBe('50 秒后自动换新码');
    await wait(34);
    expect(mock.requestsTo('/orders/10/checkin-code')).toHaveLength(1);

    await wait(1);

    expect(mock.requestsTo('/orders/10/checkin-code')).toHaveLength(2);
    expect(page.instance.data.token).toBe('header.payload-2.signature');
    expect(qrOf(page).runs.map((run) => run.k)).toEqual(darkRuns('header.payload-2.signature').starts);
    expect(shown(page, '#code-timer')).toBe('60 秒后自动换新码');
    // The secrets are fetched once per opening, not with every code.
    expect(mock.requestsTo('/orders/10/offline-secret')).toHaveLength(1);
  });

  test('while the expert is on site it says so and asks again every 10 seconds', async () => {
    mock.route('GET', '/orders/10/checkin-code', { statusCode: 200, data: codeBody({ open_visit: true }) });
    const page = await openPage();

    expect(shown(page, '#code-open-visit')).toContain('专家已签到，服务中');
    await wait(10);
    expect(mock.requestsTo('/orders/10/checkin-code')).toHaveLength(2);
  });

  test('turns into the rating form as soon as rate_visit_id appears, and lets the screen dim again', async () => {
    mock.route('GET', '/orders/10/checkin-code', (req, nth) => ({
      statusCode: 200,
      data: nth === 1 ? codeBody({ open_visit: true }) : codeBody({ open_visit: false, rate_visit_id: 31 }),
    }));
    const page = await openPage();
    expect(page.querySelector('#code-card')).toBeTruthy();

    await wait(10);

    expect(page.querySelector('#code-card')).toBeFalsy();
    expect(shown(page, '#rating-intro')).toContain('专家已签退，请评一评这次服务');
    expect(page.instance.data.visitId).toBe(31);
    expect(screen.keepOn).toEqual([true, false]);
    expect(screen.brightness).toEqual([0.9, 0.4]);
    expect(wx.setNavigationBarTitle).toHaveBeenLastCalledWith({ title: '评价这次服务' });
    // No more codes are fetched once the form is showing.
    await wait(120);
    expect(mock.requestsTo('/orders/10/checkin-code')).toHaveLength(2);
  });

  test('leaving the page stops the refreshes and restores the screen', async () => {
    mock.route('GET', '/orders/10/checkin-code', { statusCode: 200, data: codeBody() });
    const page = await openPage();

    page.detach();
    await wait(120);

    expect(mock.requestsTo('/orders/10/checkin-code')).toHaveLength(1);
    expect(screen.keepOn).toEqual([true, false]);
    expect(screen.brightness).toEqual([0.9, 0.4]);
  });

  test('an order that cannot show a code yet says the server\'s reason and offers 返回', async () => {
    mock.route('GET', '/orders/10/checkin-code', {
      statusCode: 409,
      data: apiError('invalid_transition', '专家接单后才能出示签到码'),
    });
    const page = await openPage();

    expect(shown(page, '#code-error-message')).toBe('专家接单后才能出示签到码');
    await tap(page, '#code-back');
    expect(wx.navigateBack).toHaveBeenCalled();
  });
});

describe('without signal', () => {
  test('shows an offline code derived from the stored secret, labelled 离线签到码, new every step', async () => {
    mock.store.set('requester.offlineSecrets.10', secretsBody());
    mock.route('GET', '/orders/10/checkin-code', { fail: 'request:fail timeout' });
    const page = await openPage();

    const counter = offlineCode.counterAt(NOW, 60);
    const expected = offlineCode.codeText(10, counter, offlineCode.hotp('11'.repeat(32), counter));
    expect(shown(page, '#offline-badge')).toBe('离线签到码');
    expect(page.instance.data.offlineText).toBe(expected);
    expect(qrOf(page, '#offline-qr').runs.map((run) => run.k)).toEqual(darkRuns(expected).starts);
    expect(shown(page, '#offline-digits')).toBe(expected.split('.')[3]);
    expect(shown(page, '#offline-timer')).toBe('40 秒后换新码');

    await wait(40);

    const next = offlineCode.codeText(10, counter + 1, offlineCode.hotp('11'.repeat(32), counter + 1));
    expect(page.instance.data.offlineText).toBe(next);
  });

  test('goes back to the online code when the network returns', async () => {
    mock.store.set('requester.offlineSecrets.10', secretsBody());
    mock.route('GET', '/orders/10/checkin-code', (req, nth) => (nth === 1
      ? { fail: 'request:fail ' }
      : { statusCode: 200, data: codeBody() }));
    const page = await openPage();
    expect(page.querySelector('#offline-card')).toBeTruthy();

    await wait(15);

    expect(page.querySelector('#offline-card')).toBeFalsy();
    expect(page.instance.data.token).toBe('header.payload-1.signature');
  });

  test('with no stored secret it says how to get one', async () => {
    mock.route('GET', '/orders/10/checkin-code', { fail: 'request:fail timeout' });
    const page = await openPage();

    expect(shown(page, '#code-error-message')).toContain('请到有信号的地方打开一次本页');
    expect(page.querySelector('#offline-card')).toBeFalsy();
  });
});

describe('the rating on the same screen', () => {
  async function openRating() {
    mock.route('GET', '/orders/10/checkin-code', { statusCode: 200, data: codeBody({ rate_visit_id: 31 }) });
    const page = await openPage();
    expect(page.querySelector('#submit-rating')).toBeTruthy();
    return page;
  }

  async function fillIn(page) {
    await tap(page, '#star-overall-5');
    await tap(page, '#star-attitude-4');
    await tap(page, '#star-expertise-5');
    await tap(page, '#solved-partly');
    await tap(page, '#phrase-0');
    await tap(page, '#phrase-3');
  }

  test('says what is missing and sends nothing', async () => {
    const page = await openRating();

    await tap(page, '#star-overall-2');
    await tap(page, '#submit-rating');

    expect(shown(page, '#error-attitude')).toBe('请给「服务态度」点星星');
    expect(shown(page, '#error-expertise')).toBe('请给「专业水平」点星星');
    expect(shown(page, '#error-solved')).toBe('请点一下问题解决了没有');
    expect(page.querySelector('#error-overall')).toBeFalsy();
    expect(shown(page, '#rating-error')).toBe('还有 3 处没有填，请看红字');
    expect(mock.requestsTo('/visits/31/rating')).toHaveLength(0);
  });

  test('sends the stars, the answer and the tapped phrases, then thanks and offers to close the order', async () => {
    mock.route('POST', '/visits/31/rating', { statusCode: 201, data: ratingBody() });
    mock.route('POST', '/orders/10/confirm-solved', { statusCode: 200, data: { id: 10, status: 'closed', actions: [] } });
    const page = await openRating();

    await fillIn(page);
    expect(page.querySelectorAll('#group-overall .star-on')).toHaveLength(5);
    await tap(page, '#submit-rating');

    expect(mock.requestsTo('/visits/31/rating')[0].data).toEqual({
      overall: 5,
      attitude: 4,
      expertise: 5,
      solved: 'partly',
      comment: '讲得清楚，一听就懂，问题还没完全解决',
      photos: [],
    });
    expect(shown(page, '#thanks')).toContain('谢谢您的评价');
    expect(shown(page, '#confirm-solved')).toBe('确认问题已解决');
    expect(shown(page, '#request-revisit')).toBe('还需要专家再来');

    await tap(page, '#confirm-solved');

    expect(mock.requestsTo('/orders/10/confirm-solved')).toHaveLength(1);
    expect(shown(page, '#concluded')).toContain('需求已办结');
  });

  test('还需要专家再来 needs a reason, then sends it', async () => {
    mock.route('POST', '/visits/31/rating', { statusCode: 201, data: ratingBody() });
    mock.route('POST', '/orders/10/request-revisit', { statusCode: 200, data: { id: 10, status: 'scheduled', actions: [] } });
    const page = await openRating();
    await fillIn(page);
    await tap(page, '#submit-rating');

    await tap(page, '#request-revisit');
    await tap(page, '#send-revisit');
    expect(shown(page, '#revisit-error')).toBe('请点一个原因，或写几个字说明为什么还要再来');
    expect(mock.requestsTo('/orders/10/request-revisit')).toHaveLength(0);

    await tap(page, '#revisit-reason-0');
    await tap(page, '#send-revisit');

    expect(mock.requestsTo('/orders/10/request-revisit')[0].data).toEqual({ reason: '问题还没解决' });
    expect(shown(page, '#concluded')).toContain('已请专家再来');
  });

  test('a rating the server already has (answer lost, sent again) is replaced with PUT', async () => {
    mock.route('POST', '/visits/31/rating', {
      statusCode: 409,
      data: apiError('already_rated', '这次服务已经评价过了，可在 24 小时内修改'),
    });
    mock.route('PUT', '/visits/31/rating', { statusCode: 200, data: ratingBody() });
    const page = await openRating();
    await fillIn(page);

    await tap(page, '#submit-rating');

    expect(mock.requestsTo('/visits/31/rating').map((req) => req.method)).toEqual(['POST', 'PUT']);
    expect(shown(page, '#thanks')).toContain('谢谢您的评价');
  });

  test('a rating refused by the server keeps the form and shows why', async () => {
    mock.route('POST', '/visits/31/rating', {
      statusCode: 409,
      data: apiError('rating_locked', '评价超过 24 小时，不能再修改'),
    });
    const page = await openRating();
    await fillIn(page);

    await tap(page, '#submit-rating');

    expect(shown(page, '#rating-error')).toBe('评价超过 24 小时，不能再修改');
    expect(page.instance.data.rating.overall).toBe(5);
    expect(page.instance.data.sending).toBe(false);
  });

  test('opened with a visit (去评价 from the order) it goes straight to the form, without a code', async () => {
    const page = await openPage({ id: '10', visit: '31' });

    expect(page.querySelector('#submit-rating')).toBeTruthy();
    expect(mock.requestsTo('/orders/10/checkin-code')).toHaveLength(0);
    expect(screen.keepOn).toEqual([]);
    expect(textOf(page)).toContain('总体满意');
  });
});
