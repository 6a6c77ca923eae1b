const { DEVELOP_BASE_URL } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, openPage, tap } = require('./helpers/page');

const FIGURES = 'pages/admin/figures/index';

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

function day(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function figures(overrides = {}) {
  return Object.assign({
    orders: { total: 0, by_status: {} },
    turnaround_hours: { accept: { count: 0, median: null, p90: null } },
    visits: 0,
    experts: 0,
    service_hours: 0,
    service_days: 0,
    satisfaction: { ratings: 0, average: null, satisfied_share: null },
    follow_ups: { open: 0, closed: 0 },
  }, overrides);
}

function report() {
  return {
    region: { code: '230124000000', name: '方正县', level: 'county' },
    period: { from: '2030-12-01', to: '2030-12-20' },
    day_rule: '一个自然日内核实服务满 4 小时计 1 个服务日',
    sub_region_level: 'township',
    totals: figures({
      orders: { total: 40, by_status: {} },
      turnaround_hours: { accept: { count: 30, median: 5.25, p90: 20 } },
      visits: 31,
      service_hours: 96.5,
      service_days: 18,
      satisfaction: { ratings: 25, average: 4.56, satisfied_share: 0.92 },
    }),
    by_region: [
      { key: '230124100', code: '230124100000', label: '方正镇', figures: figures({ orders: { total: 10 }, service_hours: 12 }) },
      { key: '230124101', code: '230124101000', label: '会发镇', figures: figures({ orders: { total: 40 }, service_hours: 60 }) },
      { key: '230124102', code: '230124102000', label: '天门乡', figures: figures({ orders: { total: 0 }, service_hours: 24 }) },
    ],
    by_field: [
      { key: 'planting', label: '种植技术', figures: figures({ orders: { total: 30 }, service_hours: 80 }) },
      { key: 'animal', label: '畜牧兽医', figures: figures({ orders: { total: 15 }, service_hours: 16.5 }) },
    ],
    by_title_level: [],
  };
}

let mock;
let downloads;
let opened;
let modals;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  downloads = [];
  opened = [];
  modals = [];
  global.wx.downloadFile = (options) => {
    downloads.push(options);
    setTimeout(() => options.success({ statusCode: 200, tempFilePath: 'wxfile://tmp/figures.xlsx' }), 0);
  };
  global.wx.openDocument = (options) => {
    opened.push(options);
    setTimeout(() => options.success({}), 0);
  };
  global.wx.showModal = (options) => {
    modals.push(options);
    if (options.success) options.success({ confirm: true });
  };
});

/** The bars of a chart as ['label value', 'width:N%;']. */
function bars(page, chartId) {
  const chart = page.querySelector(chartId);
  const labels = chart.querySelectorAll('.bar-label');
  const values = chart.querySelectorAll('.bar-value');
  return chart.querySelectorAll('.bar-fill').map((fill, index) => [
    `${labels[index].dom.textContent} ${values[index].dom.textContent}`,
    fill.dom.getAttribute('style').replace(/\s+/g, ''),
  ]);
}

test('the figures open on this month of the admin\'s region with the key numbers', async () => {
  mock.route('GET', '/figures', { statusCode: 200, data: report() });
  const page = await openPage(FIGURES, {}, { settleMs: 5 });

  const now = new Date();
  expect(mock.requestsTo('/figures')[0].data).toEqual({
    from: day(new Date(now.getFullYear(), now.getMonth(), 1)), to: day(now),
  });
  expect(textOf(page.querySelector('#figures-head'))).toContain('方正县');
  expect(textOf(page.querySelector('#number-orders'))).toBe('需求单40件');
  expect(textOf(page.querySelector('#number-visits'))).toBe('上门服务31次');
  expect(textOf(page.querySelector('#number-hours'))).toBe('服务时长96.5小时');
  expect(textOf(page.querySelector('#number-days'))).toBe('服务天数18天');
  expect(textOf(page.querySelector('#number-satisfaction'))).toBe('满意度4.6分满意 92%');
  expect(textOf(page.querySelector('#number-accept'))).toBe('接单用时中位数5.3小时');
});

test('the bars are as wide as their value against the largest, longest first, per measure', async () => {
  mock.route('GET', '/figures', { statusCode: 200, data: report() });
  const page = await openPage(FIGURES, {}, { settleMs: 5 });

  expect(textOf(page.querySelector('#chart-region'))).toContain('各乡镇（街道）');
  expect(bars(page, '#chart-region')).toEqual([
    ['会发镇 40', 'width:100%;'],
    ['方正镇 10', 'width:25%;'],
    ['天门乡 0', 'width:0%;'],
  ]);
  expect(bars(page, '#chart-field')).toEqual([
    ['种植技术 30', 'width:100%;'],
    ['畜牧兽医 15', 'width:50%;'],
  ]);

  await tap(page.querySelector('#metric-hours'));
  expect(bars(page, '#chart-region')).toEqual([
    ['会发镇 60', 'width:100%;'],
    ['天门乡 24', 'width:40%;'],
    ['方正镇 12', 'width:20%;'],
  ]);
  expect(textOf(page.querySelector('#chart-field'))).toContain('单位：小时');
  expect(bars(page, '#chart-field')[1]).toEqual(['畜牧兽医 16.5', 'width:20.6%;']);
});

test('本年 and a custom range ask for their days', async () => {
  mock.route('GET', '/figures', { statusCode: 200, data: report() });
  const page = await openPage(FIGURES, {}, { settleMs: 5 });
  const now = new Date();

  await tap(page.querySelector('#period-year'));
  await waitFor(() => expect(mock.requestsTo('/figures')).toHaveLength(2));
  expect(mock.requestsTo('/figures')[1].data).toEqual({ from: `${now.getFullYear()}-01-01`, to: day(now) });

  await tap(page.querySelector('#period-custom'));
  await waitFor(() => expect(page.querySelector('#custom-range')).toBeTruthy());
  page.querySelector('#from-picker').dispatchEvent('change', { detail: { value: '2020-03-01' } });
  await waitFor(() => expect(mock.requestsTo('/figures')).toHaveLength(3));
  page.querySelector('#to-picker').dispatchEvent('change', { detail: { value: '2020-06-30' } });
  await waitFor(() => expect(mock.requestsTo('/figures')).toHaveLength(4));
  expect(mock.requestsTo('/figures')[3].data).toEqual({ from: '2020-03-01', to: '2020-06-30' });
  expect(textOf(page.querySelector('#from-text'))).toBe('从 2020年3月1日');
  expect(textOf(page.querySelector('#to-text'))).toBe('到 2020年6月30日');
});

test('导出 Excel downloads the same period with the token and opens it as xlsx', async () => {
  mock.route('GET', '/figures', { statusCode: 200, data: report() });
  const page = await openPage(FIGURES, {}, { settleMs: 5 });
  const { from, to } = page.instance.data;

  await tap(page.querySelector('#export-excel'));
  await waitFor(() => expect(opened).toHaveLength(1));
  expect(downloads[0].url).toBe(`${DEVELOP_BASE_URL}/figures.xlsx?from=${from}&to=${to}`);
  expect(downloads[0].header).toEqual({ Authorization: 'Bearer access-1' });
  expect(opened[0]).toMatchObject({ filePath: 'wxfile://tmp/figures.xlsx', fileType: 'xlsx' });
  await waitFor(() => expect(page.instance.data.exporting).toBe(false));
});

test('an export the server refuses says why and opens nothing', async () => {
  mock.route('GET', '/figures', { statusCode: 200, data: report() });
  global.wx.downloadFile = (options) => {
    downloads.push(options);
    setTimeout(() => options.success({ statusCode: 403, tempFilePath: 'wxfile://tmp/error.json' }), 0);
  };
  const page = await openPage(FIGURES, {}, { settleMs: 5 });

  await tap(page.querySelector('#export-excel'));
  await waitFor(() => expect(modals.map((m) => m.content)).toEqual(['您没有权限导出这些数据']));
  expect(opened).toHaveLength(0);
});

test('figures that cannot load say why, and 重试 loads them', async () => {
  mock.route('GET', '/figures', (req, nth) => (nth === 1
    ? { fail: 'request:fail timeout' }
    : { statusCode: 200, data: report() }));
  const page = await openPage(FIGURES, {}, { settleMs: 5 });

  expect(textOf(page)).toContain('网络不稳定，请检查网络后重试');
  await tap(page.querySelector('#figures-state').querySelector('.state-retry'));
  await waitFor(() => expect(page.querySelector('#key-numbers')).toBeTruthy());
});
