const { apiError } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const HOURS = 'pages/expert/hours/index';
const THIS_YEAR = new Date().getFullYear();

function ledger(overrides = {}) {
  return Object.assign({
    year: THIS_YEAR,
    hours: 31.5,
    service_days: 4,
    pending_hours: 6.25,
    target_days: 10,
    progress: 0.4,
    continuing_education_met: false,
    day_rule: '一个自然日内核实服务满 4 小时计 1 个服务日',
    visits: 5,
  }, overrides);
}

let mock;
let downloads;
let opened;
let downloadAnswer;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  downloads = [];
  opened = [];
  downloadAnswer = { statusCode: 200, tempFilePath: 'wxfile://tmp/cert.pdf' };
  global.wx.downloadFile = jest.fn((options) => {
    downloads.push(options);
    setTimeout(() => options.success(downloadAnswer), 0);
  });
  global.wx.openDocument = jest.fn((options) => {
    opened.push(options);
    options.success();
  });
  global.wx.getFileSystemManager = () => ({
    readFileSync: () => JSON.stringify(apiError('validation_failed', '请求有误', { year: '年度应在 2024 至 2025 之间' })),
  });
  mockWx('showModal');
  mock.route('GET', '/visits', {
    statusCode: 200,
    data: {
      items: [{
        id: 31, order_id: 7, status: 'flagged', source: 'scan', check_in_at: `${THIS_YEAR}-03-04T01:00:00+00:00`,
        check_out_at: `${THIS_YEAR}-03-04T01:10:00+00:00`, duration_minutes: 10, flags: ['too_short', 'no_location'],
        flag_labels: ['服务时间过短', '未获取到定位'],
      }],
    },
  });
});

function openHours(query = {}) {
  return openPage(HOURS, query);
}

test('the year\'s progress shows n / 10 service days with a bar, the hours and what still waits', async () => {
  mock.route('GET', '/ledger/me', { statusCode: 200, data: ledger() });
  const page = await openHours();

  expect(mock.requestsTo('/ledger/me')[0].data).toEqual({ year: THIS_YEAR });
  expect(textOf(page.querySelector('#service-days'))).toBe('4 / 10');
  expect(page.querySelector('#progress-bar').dom.getAttribute('style')).toContain('width: 40%');
  expect(textOf(page.querySelector('#progress-text'))).toBe('还差 6 个服务日，满 10 个可计为本年度继续教育学时');
  expect(textOf(page.querySelector('#hours'))).toBe('31.5 小时');
  expect(textOf(page.querySelector('#pending-hours'))).toBe('6.3 小时');
  expect(textOf(page.querySelector('#pending-note'))).toContain('待评价/待核实');
  expect(textOf(page.querySelector('#day-rule'))).toBe('一个自然日内核实服务满 4 小时计 1 个服务日');
  expect(textOf(page.querySelector('#visit-31'))).toContain('服务时间过短');
  expect(textOf(page.querySelector('#visit-31'))).toContain('未获取到定位');
  // There is no next year yet: 下一年 does nothing.
  await tap(page, '#next-year');
  expect(mock.requestsTo('/ledger/me')).toHaveLength(1);
});

test('a met year says so; the year switcher loads the year before', async () => {
  mock.route('GET', '/ledger/me', (req) => ({
    statusCode: 200,
    data: req.data.year === THIS_YEAR ? ledger() : ledger({ year: THIS_YEAR - 1, service_days: 12, progress: 1, continuing_education_met: true }),
  }));
  const page = await openHours();

  await tap(page, '#prev-year');
  await waitFor(() => expect(textOf(page.querySelector('#service-days'))).toBe('12 / 10'));

  expect(textOf(page.querySelector('#year'))).toBe(`${THIS_YEAR - 1} 年`);
  expect(page.querySelector('#progress-bar').dom.getAttribute('style')).toContain('width: 100%');
  expect(textOf(page.querySelector('#progress-text'))).toBe('已满 10 个服务日，可计为本年度继续教育学时');
  expect(mock.requestsTo('/visits').map((req) => req.data)).toEqual([{ year: THIS_YEAR }, { year: THIS_YEAR - 1 }]);
});

test('下载证明 downloads the year\'s PDF with the token and opens it', async () => {
  mock.route('GET', '/ledger/me', { statusCode: 200, data: ledger() });
  const page = await openHours();

  await tap(page, '#download');
  await waitFor(() => expect(opened).toHaveLength(1));

  expect(downloads[0].url).toBe(`http://127.0.0.1:8000/api/v1/certificates/${THIS_YEAR}`);
  expect(downloads[0].header).toEqual({ Authorization: 'Bearer access-1' });
  expect(opened[0]).toMatchObject({ filePath: 'wxfile://tmp/cert.pdf', fileType: 'pdf' });
});

test('a refused certificate shows the server\'s reason', async () => {
  mock.route('GET', '/ledger/me', { statusCode: 200, data: ledger() });
  downloadAnswer = { statusCode: 422, tempFilePath: 'wxfile://tmp/error.json' };
  const page = await openHours();

  await tap(page, '#download');
  await waitFor(() => expect(wx.showModal).toHaveBeenCalled());

  expect(wx.showModal.mock.calls[0][0].content).toBe('年度应在 2024 至 2025 之间');
  expect(opened).toHaveLength(0);
});

test('a ledger that cannot load says why', async () => {
  mock.route('GET', '/ledger/me', { statusCode: 404, data: apiError('expert_profile_missing', '请先完善专家资料') });
  const page = await openHours();
  expect(textOf(page)).toContain('请先完善专家资料');
});
