const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, openPage, shown, tap } = require('./helpers/page');

const SCAN = 'pages/expert/scan/index';
const THIS_YEAR = new Date().getFullYear();
const HERE = { latitude: 45.0301, longitude: 127.0902, accuracy: 25, errMsg: 'getLocation:ok' };

/** An online check-in code as the requester's phone shows it (a JWT naming the order as `o`). */
function onlineCode(orderId = 7) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', kid: 'k1' })}.${part({ aud: 'zjfw:checkin', o: orderId, jti: 'abc' })}.signature`;
}

function visit(overrides = {}) {
  return Object.assign({
    id: 31,
    order_id: 7,
    expert_id: 3,
    source: 'scan',
    status: 'open',
    check_in_at: `${THIS_YEAR}-12-03T01:30:00+00:00`,
    check_out_at: null,
    duration_minutes: null,
    in_distance_m: 40,
    out_distance_m: null,
    flags: [],
    flag_labels: [],
    review_reason: null,
    repeated: false,
  }, overrides);
}

let mock;
let scans;
let fixes;
let networkType;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  scans = [];
  fixes = [];
  networkType = 'wifi';
  global.wx.scanCode = jest.fn((options) => {
    const next = scans.shift();
    if (next && next.fail) options.fail({ errMsg: next.fail });
    else options.success({ result: next, scanType: 'QR_CODE' });
  });
  global.wx.getLocation = jest.fn((options) => {
    const next = fixes.length ? fixes.shift() : HERE;
    if (next.fail) options.fail({ errMsg: next.fail });
    else options.success(next);
  });
  global.wx.openSetting = jest.fn((options) => options.success({ authSetting: { 'scope.userLocation': false } }));
  global.wx.getNetworkType = (options) => options.success({ networkType });
  mockWx('onNetworkStatusChange', 'navigateTo', 'navigateBack');
  mock.route('GET', '/visits', { statusCode: 200, data: { items: [] } });
});

function openScan(query = { order: '7' }) {
  return openPage(SCAN, query, { until: 'loaded' });
}

async function scanIn(page, code) {
  scans.push(code);
  await tap(page, '#scan-in');
  await waitFor(() => expect(['success', 'failure', 'location', 'network', 'queued']).toContain(page.instance.data.phase));
  await simulate.sleep(0);
}

test('扫码签到 scans from the camera, sends the code with a gcj02 position, and says 签到成功 with the time', async () => {
  mock.route('POST', '/orders/7/check-in', { statusCode: 201, data: visit() });
  const page = await openScan();

  expect(shown(page, '#scan-in')).toBe('扫码签到');
  await scanIn(page, onlineCode());

  expect(wx.scanCode.mock.calls[0][0]).toMatchObject({ onlyFromCamera: true });
  expect(wx.getLocation.mock.calls[0][0]).toMatchObject({ type: 'gcj02' });
  const [sent] = mock.requestsTo('/orders/7/check-in');
  expect(sent.data).toEqual({
    token: onlineCode(),
    location: { latitude: 45.0301, longitude: 127.0902, accuracy: 25 },
  });
  expect(sent.header['Idempotency-Key']).toEqual(expect.any(String));
  expect(shown(page, '#success-title')).toBe('签到成功');
  expect(shown(page, '#success-time')).toBe('签到时间 12月3日 09:30');
});

test('扫码签到 from the home page (no order given) finds the order in the code', async () => {
  mock.route('POST', '/orders/12/check-in', { statusCode: 201, data: visit({ order_id: 12 }) });
  const page = await openScan({});

  await scanIn(page, onlineCode(12));

  expect(mock.requestsTo('/orders/12/check-in')).toHaveLength(1);
  expect(shown(page, '#success-title')).toBe('签到成功');
});

test.each([
  ['code_expired', 400, '二维码已过期，请让对方刷新后重新扫码', '二维码已过期', '请对方刷新二维码后再扫'],
  ['code_used', 409, '该二维码已被使用，请让对方刷新后重新扫码', '这个二维码已经用过了', '请对方刷新二维码后再扫'],
  ['code_other_order', 400, '这不是本需求单的签到码，请核对后重新扫码', '不是这个需求单的签到码', '请核对需求单：让对方打开本需求单的签到码再扫'],
  ['not_assigned', 403, '您不是该需求单指派的服务专家', '您不是这个需求单的服务专家', '请核对需求单；如有疑问，请联系派单的管理员'],
])('a scan refused with %s says what happened and what to do', async (code, status, message, title, advice) => {
  mock.route('POST', '/orders/7/check-in', { statusCode: status, data: apiError(code, message) });
  const page = await openScan();

  await scanIn(page, onlineCode());

  expect(shown(page, '#failure-title')).toBe(title);
  expect(shown(page, '#failure-advice')).toBe(advice);
  expect(shown(page, '#failure-detail')).toBe(message);
  expect(page.querySelector('#go-check-out')).toBeFalsy();
  await tap(page, '#scan-again');
  expect(page.querySelector('#scan-in')).toBeTruthy();
});

test('too far away shows the distance the server measured', async () => {
  mock.route('POST', '/orders/7/check-in', {
    statusCode: 422,
    data: { error: { code: 'too_far_away', message: '您当前离服务地点约 3.4 公里，请到现场后再扫码签到', fields: {}, distance_m: 3412 } },
  });
  const page = await openScan();

  await scanIn(page, onlineCode());

  expect(shown(page, '#failure-title')).toBe('离服务地点太远');
  expect(shown(page, '#failure-distance')).toBe('距离服务地点约 3.4 公里');
  expect(shown(page, '#failure-advice')).toBe('您现在离服务地点约 3.4 公里，请到现场后再扫码签到');
});

test('a visit already open offers 签退, and 扫码签退 closes it and leads to the log', async () => {
  const open = visit({ id: 30 });
  mock.route('GET', '/visits', (req, nth) => ({ statusCode: 200, data: { items: nth === 1 ? [] : [open] } }));
  mock.route('POST', '/orders/7/check-in', {
    statusCode: 409, data: apiError('visit_already_open', '您在该需求单已有未签退的服务记录，请先签退'),
  });
  mock.route('POST', '/visits/30/check-out', {
    statusCode: 200,
    data: visit({ id: 30, status: 'completed', check_out_at: `${THIS_YEAR}-12-03T04:45:00+00:00`, duration_minutes: 195 }),
  });
  const page = await openScan();

  await scanIn(page, onlineCode());
  expect(shown(page, '#failure-title')).toBe('您上次服务还没有签退');
  await waitFor(() => expect(page.instance.data.openVisit).toBeTruthy());
  await tap(page, '#go-check-out');
  expect(shown(page, '#scan-out')).toBe('扫码签退');

  scans.push(onlineCode());
  await tap(page, '#scan-out');
  await waitFor(() => expect(shown(page, '#success-title')).toBe('签退成功'));

  expect(mock.requestsTo('/visits/30/check-out')[0].data).toEqual({
    token: onlineCode(), location: { latitude: 45.0301, longitude: 127.0902, accuracy: 25 },
  });
  expect(shown(page, '#success-duration')).toBe('本次服务 3 小时 15 分钟');
  await tap(page, '#write-log');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expert/log/index?visit=30' });
});

test('直接签退 sends only the position of the open visit', async () => {
  mock.route('GET', '/visits', { statusCode: 200, data: { items: [visit({ id: 30 })] } });
  mock.route('POST', '/visits/30/check-out', {
    statusCode: 200, data: visit({ id: 30, status: 'completed', check_out_at: `${THIS_YEAR}-12-03T03:30:00+00:00`, duration_minutes: 120 }),
  });
  const page = await openScan();

  expect(shown(page, '#checkout-panel')).toContain('您正在服务中');
  await tap(page, '#direct-out');
  await waitFor(() => expect(shown(page, '#success-title')).toBe('签退成功'));

  expect(wx.scanCode).not.toHaveBeenCalled();
  expect(mock.requestsTo('/visits/30/check-out')[0].data).toEqual({
    location: { latitude: 45.0301, longitude: 127.0902, accuracy: 25 },
  });
});

test('a refused location explains the consequence, offers 去设置, and 仍要签到 sends without a location', async () => {
  fixes.push({ fail: 'getLocation:fail auth deny' });
  mock.route('POST', '/orders/7/check-in', {
    statusCode: 201, data: visit({ status: 'open', flags: ['no_location'], flag_labels: ['未获取到定位'] }),
  });
  const page = await openScan();

  await scanIn(page, onlineCode());

  expect(shown(page, '#location-title')).toBe('未获得定位权限');
  expect(shown(page, '#location-text')).toContain('未获得定位权限，签到将被标记待核实');
  expect(mock.requestsTo('/orders/7/check-in')).toHaveLength(0);

  await tap(page, '#open-setting');
  expect(wx.openSetting).toHaveBeenCalled();
  expect(shown(page, '#location-title')).toBe('未获得定位权限');

  expect(shown(page, '#send-without-location')).toBe('仍要签到');
  await tap(page, '#send-without-location');
  await waitFor(() => expect(shown(page, '#success-title')).toBe('签到成功'));

  expect(mock.requestsTo('/orders/7/check-in')[0].data).toEqual({ token: onlineCode() });
  expect(shown(page, '#success-flags')).toContain('未获取到定位');
});

test('allowing location in 去设置 locates again and signs in with the position', async () => {
  fixes.push({ fail: 'getLocation:fail auth denied' });
  global.wx.openSetting = jest.fn((options) => options.success({ authSetting: { 'scope.userLocation': true } }));
  mock.route('POST', '/orders/7/check-in', { statusCode: 201, data: visit() });
  const page = await openScan();

  await scanIn(page, onlineCode());
  await tap(page, '#open-setting');
  await waitFor(() => expect(shown(page, '#success-title')).toBe('签到成功'));

  expect(mock.requestsTo('/orders/7/check-in')[0].data.location).toEqual({ latitude: 45.0301, longitude: 127.0902, accuracy: 25 });
});

test('an online code that meets no signal is not queued: 重试 resends it under the same key', async () => {
  mock.route('POST', '/orders/7/check-in', (req, nth) => (nth === 1
    ? { fail: 'request:fail timeout' }
    : { statusCode: 201, data: visit() }));
  const page = await openScan();

  await scanIn(page, onlineCode());
  expect(textOf(page)).toContain('网络不通，签到没有发出去');
  expect(shown(page, '#network-hint')).toContain('离线签到码');
  expect(mock.store.get('expert.offlineQueue')).toBeUndefined();

  await tap(page, '#retry-send');
  await waitFor(() => expect(shown(page, '#success-title')).toBe('签到成功'));
  const [first, second] = mock.requestsTo('/orders/7/check-in');
  expect(second.header['Idempotency-Key']).toBe(first.header['Idempotency-Key']);
});

test('scanning nothing (backing out of the camera) changes nothing', async () => {
  const page = await openScan();
  scans.push({ fail: 'scanCode:fail cancel' });
  await tap(page, '#scan-in');
  await simulate.sleep(5);

  expect(page.instance.data.phase).toBe('idle');
  expect(wx.getLocation).not.toHaveBeenCalled();
});
