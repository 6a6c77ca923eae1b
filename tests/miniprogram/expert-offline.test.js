const path = require('path');
const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { MINIPROGRAM_ROOT, textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, tap } = require('./helpers/page');

const SCAN = 'pages/expert/scan/index';
const TASKS = 'pages/expert/tasks/index';
const HERE = { latitude: 45.0301, longitude: 127.0902, accuracy: 25 };
const CODE_IN = 'OFF1.7.29412345.04718263';
const CODE_OUT = 'OFF1.7.29412530.55120931';

function uploadedVisit(overrides = {}) {
  return Object.assign({
    id: 41, order_id: 7, expert_id: 3, source: 'offline', status: 'open',
    check_in_at: '2025-12-03T01:30:00+00:00', check_out_at: null, duration_minutes: null,
    in_distance_m: 40, out_distance_m: null, flags: [], flag_labels: [], review_reason: null, repeated: false,
  }, overrides);
}

let mock;
let scans;
let networkType;
let networkListeners;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  scans = [];
  networkType = 'none';
  networkListeners = [];
  global.wx.scanCode = (options) => options.success({ result: scans.shift() });
  global.wx.getLocation = (options) => options.success(Object.assign({ errMsg: 'getLocation:ok' }, HERE));
  global.wx.getNetworkType = (options) => options.success({ networkType });
  global.wx.onNetworkStatusChange = (listener) => networkListeners.push(listener);
  mockWx('navigateTo');
  mock.route('GET', '/visits', { fail: 'request:fail no network' });
  mock.route('GET', '/orders', { statusCode: 200, data: { items: [], next_cursor: null } });
});

let loaded;

beforeEach(() => {
  loaded = {};
});

async function open(pagePath, query) {
  // A page is loaded once per test; opening it again renders a second instance, as WeChat would.
  loaded[pagePath] = loaded[pagePath] || simulate.load(path.join(MINIPROGRAM_ROOT, pagePath), { rootPath: MINIPROGRAM_ROOT });
  const id = loaded[pagePath];
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  await page.instance.onLoad(query);
  await simulate.sleep(0);
  return page;
}

async function scan(page, selector, code) {
  scans.push(code);
  await tap(page, selector);
  await waitFor(() => expect(['success', 'failure', 'queued']).toContain(page.instance.data.phase));
  await simulate.sleep(0);
}

function queue() {
  return mock.store.get('expert.offlineQueue') || [];
}

function signalReturns() {
  networkType = '4g';
  networkListeners.forEach((listener) => listener({ isConnected: true, networkType: '4g' }));
}

test('an offline code scanned without signal is kept on the phone and the expert is told so', async () => {
  const page = await open(SCAN, { order: '7' });

  await scan(page, '#scan-in', CODE_IN);

  expect(page.querySelector('#queued-text').dom.textContent).toBe('已离线保存，有网络时自动上传');
  expect(textOf(page.querySelector('#queued-count'))).toContain('共有 1 条离线记录待上传');
  expect(queue()).toEqual([expect.objectContaining({
    kind: 'check_in', code: CODE_IN, orderId: 7, location: HERE,
    scannedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/),
  })]);
  expect(mock.requestsTo('/orders/7/offline-visits')).toHaveLength(0);
});

test('when a send fails for lack of network the scan stays queued', async () => {
  networkType = 'wifi'; // the phone believes it is online, the request still fails
  mock.route('POST', '/orders/7/offline-visits', { fail: 'request:fail timeout' });
  const page = await open(SCAN, { order: '7' });

  await scan(page, '#scan-in', CODE_IN);

  expect(mock.requestsTo('/orders/7/offline-visits')).toHaveLength(1);
  expect(page.querySelector('#queued-text').dom.textContent).toBe('已离线保存，有网络时自动上传');
  expect(queue()).toHaveLength(1);
});

test('when the signal comes back the check-in and its check-out go up as one visit and the queue empties', async () => {
  mock.route('POST', '/orders/7/offline-visits', {
    statusCode: 201, data: uploadedVisit({ status: 'completed', duration_minutes: 185 }),
  });
  const page = await open(SCAN, { order: '7' });
  await scan(page, '#scan-in', CODE_IN);
  await tap(page, '#queued-ok');
  // No signal, no visit id from the server: the kept check-in is what the page offers to check out.
  expect(textOf(page.querySelector('#checkout-panel'))).toContain('离线签到（待上传）');
  await scan(page, '#scan-out', CODE_OUT);
  expect(queue().map((item) => item.kind)).toEqual(['check_in', 'check_out']);

  signalReturns();

  await waitFor(() => expect(queue()).toEqual([]));
  const uploads = mock.requestsTo('/orders/7/offline-visits');
  expect(uploads).toHaveLength(1);
  expect(uploads[0].data).toEqual({
    check_in: { code: CODE_IN, scanned_at: expect.any(String), location: HERE },
    check_out: { code: CODE_OUT, scanned_at: expect.any(String), location: HERE },
  });
  expect(uploads[0].header.Authorization).toBe('Bearer access-1');
});

test('a 5xx on upload keeps the scan for the next try', async () => {
  mock.route('POST', '/orders/7/offline-visits', { statusCode: 503, data: 'Service Unavailable' });
  const page = await open(SCAN, { order: '7' });
  await scan(page, '#scan-in', CODE_IN);

  signalReturns();

  await waitFor(() => expect(mock.requestsTo('/orders/7/offline-visits')).toHaveLength(1));
  await simulate.sleep(5);
  expect(queue()).toHaveLength(1);
});

test('a definitive refusal (4xx) removes the scan and tells the expert on the tasks page', async () => {
  mock.route('POST', '/orders/7/offline-visits', {
    statusCode: 422, data: apiError('offline_upload_too_late', '离线记录已超过 7 天，不能再上传，请联系属地管理员'),
  });
  const page = await open(SCAN, { order: '7' });
  await scan(page, '#scan-in', CODE_IN);

  signalReturns();
  await waitFor(() => expect(queue()).toEqual([]));

  const tasks = await open(TASKS, {});
  await waitFor(() => expect(tasks.querySelector('#offline-problems')).toBeTruthy());
  expect(textOf(tasks.querySelector('#offline-problems'))).toContain('离线记录已超过 7 天，不能再上传，请联系属地管理员');
  await tap(tasks, '#dismiss-problems');
  expect(tasks.querySelector('#offline-problems')).toBeFalsy();
});

test('a check-in kept offline is still there to check out when the scan page opens again', async () => {
  const first = await open(SCAN, { order: '7' });
  await scan(first, '#scan-in', CODE_IN);

  const again = await open(SCAN, { order: '7' });
  expect(textOf(again.querySelector('#checkout-panel'))).toContain('离线签到（待上传）');
  await tap(again, '#direct-out');
  await waitFor(() => expect(again.instance.data.phase).toBe('failure'));
  expect(again.querySelector('#failure-title').dom.textContent).toBe('离线签到还没有上传');
});

test('scanning the same code twice does not queue it twice', async () => {
  const page = await open(SCAN, { order: '7' });
  await scan(page, '#scan-in', CODE_IN);
  await tap(page, '#queued-ok');
  // A nervous second scan of the same code, from the 签退 button now offered.
  await scan(page, '#scan-out', CODE_IN);

  expect(page.querySelector('#queued-text').dom.textContent).toBe('这次扫码之前已经保存过了，不用再扫，有网络时自动上传');
  expect(queue()).toHaveLength(1);
});

test('with signal an offline code goes up at once and the result is shown', async () => {
  networkType = 'wifi';
  mock.route('POST', '/orders/7/offline-visits', { statusCode: 201, data: uploadedVisit() });
  const page = await open(SCAN, { order: '7' });

  await scan(page, '#scan-in', CODE_IN);

  expect(page.querySelector('#success-title').dom.textContent).toBe('签到成功');
  expect(queue()).toEqual([]);
});

test('the tasks page shows how many scans wait and uploads them on 立即上传', async () => {
  mock.store.set('expert.offlineQueue', [{
    id: CODE_IN, kind: 'check_in', code: CODE_IN, orderId: 7, visitId: null, location: null,
    scannedAt: '2025-12-03T09:30:00+08:00',
  }]);
  const tasks = await open(TASKS, {});
  await waitFor(() => expect(tasks.instance.data.status).toBe('ready'));
  expect(textOf(tasks.querySelector('#offline-banner'))).toContain('有 1 条离线签到记录待上传');

  networkType = '4g';
  mock.route('POST', '/orders/7/offline-visits', { statusCode: 201, data: uploadedVisit() });
  await tap(tasks, '#upload-offline');

  await waitFor(() => expect(tasks.querySelector('#offline-banner')).toBeFalsy());
  expect(mock.requestsTo('/orders/7/offline-visits')[0].data).toEqual({
    check_in: { code: CODE_IN, scanned_at: '2025-12-03T09:30:00+08:00' },
  });
  expect(mock.toasts.map((t) => t.title)).toContain('离线记录已上传');
});

test('an offline check-out of a visit opened online closes that visit', async () => {
  mock.route('GET', '/visits', { statusCode: 200, data: { items: [uploadedVisit({ id: 30, source: 'scan' })] } });
  const page = await open(SCAN, { order: '7' });
  networkType = 'none';
  await scan(page, '#scan-out', CODE_OUT);
  expect(queue()[0]).toMatchObject({ kind: 'check_out', visitId: 30 });

  mock.route('POST', '/visits/30/offline-check-out', { statusCode: 200, data: uploadedVisit({ id: 30, status: 'completed' }) });
  signalReturns();

  await waitFor(() => expect(queue()).toEqual([]));
  expect(mock.requestsTo('/visits/30/offline-check-out')[0].data).toEqual({
    check_out: { code: CODE_OUT, scanned_at: expect.any(String), location: HERE },
  });
});
