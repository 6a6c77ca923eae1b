const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { confirmModals, installLoggedInWx, openPage, tap } = require('./helpers/page');

const FLAGGED = 'pages/admin/flagged/index';

function visit(overrides = {}) {
  return Object.assign({
    id: 301,
    order_id: 21,
    expert_id: 5,
    expert_name: '王建国',
    source: 'online',
    status: 'flagged',
    check_in_at: '2030-12-03T01:30:00+00:00',
    check_out_at: '2030-12-03T01:42:00+00:00',
    duration_minutes: 12,
    in_distance_m: 2350,
    out_distance_m: 640,
    flags: ['too_short', 'out_of_area'],
    flag_labels: ['服务时间过短', '签到位置不在服务地点附近'],
    review_reason: null,
  }, overrides);
}

let mock;
let modals;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  modals = confirmModals();
});

function sheet(page) {
  return page.querySelector('#review-sheet');
}

test('each flagged visit shows its flag labels, duration and distances', async () => {
  mock.route('GET', '/visits/flagged', {
    statusCode: 200,
    data: { items: [visit(), visit({ id: 302, in_distance_m: null, out_distance_m: null, duration_minutes: 135, source: 'offline', flag_labels: ['未获取到定位'] })] },
  });
  const page = await openPage(FLAGGED);

  expect(Array.from(page.querySelector('#flags-301').dom.children).map((chip) => chip.textContent))
    .toEqual(['服务时间过短', '签到位置不在服务地点附近']);
  expect(page.querySelector('#duration-301').dom.textContent).toBe('12 分钟');
  expect(page.querySelector('#distance-301').dom.textContent).toBe('签到距服务地点 2.4 公里，签退距服务地点 640 米');
  expect(textOf(page.querySelector('#visit-301'))).toContain('王建国');
  expect(page.querySelector('#duration-302').dom.textContent).toBe('2 小时 15 分钟');
  expect(page.querySelector('#distance-302').dom.textContent).toBe('没有定位');
  expect(textOf(page.querySelector('#flags-302'))).toContain('离线签到');
});

test('不通过 requires a reason: nothing is sent without one, then {approve: false, reason} is sent', async () => {
  mock.route('GET', '/visits/flagged', { statusCode: 200, data: { items: [visit()] } });
  mock.route('POST', '/visits/301/review', { statusCode: 200, data: visit({ status: 'rejected' }) });
  const page = await openPage(FLAGGED);

  await tap(page.querySelector('#reject-301'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  expect(sheet(page).querySelector('#reason-error').dom.textContent).toBe('请点一个情况，或写几个字说明核实的结果');
  expect(mock.requestsTo('/visits/301/review')).toHaveLength(0);

  await tap(sheet(page).querySelector('#preset-0'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(page.querySelector('#visit-301')).toBeFalsy());
  expect(mock.requestsTo('/visits/301/review')[0].data).toEqual({ approve: false, reason: '经核实专家未到现场服务' });
  expect(mock.toasts.map((t) => t.title)).toContain('已不通过');
  expect(page.querySelector('#flagged-empty')).toBeTruthy();
});

test('通过 also requires a reason and sends {approve: true, reason} with what was typed', async () => {
  mock.route('GET', '/visits/flagged', { statusCode: 200, data: { items: [visit()] } });
  mock.route('POST', '/visits/301/review', { statusCode: 200, data: visit({ status: 'approved' }) });
  const page = await openPage(FLAGGED);

  await tap(page.querySelector('#approve-301'));
  expect(textOf(sheet(page))).toContain('通过：核实的情况');
  sheet(page).querySelector('#reason-input').dispatchEvent('input', { detail: { value: '  村支书证实专家在果园讲了两小时  ' } });
  await simulate.sleep(0);
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(mock.requestsTo('/visits/301/review')).toHaveLength(1));
  expect(mock.requestsTo('/visits/301/review')[0].data).toEqual({ approve: true, reason: '村支书证实专家在果园讲了两小时' });
});

test('a visit another admin reviewed first (409) is explained and the list reloads', async () => {
  mock.route('GET', '/visits/flagged', (req, nth) => ({
    statusCode: 200, data: { items: nth === 1 ? [visit()] : [] },
  }));
  mock.route('POST', '/visits/301/review', { statusCode: 409, data: apiError('concurrent_update', '该服务记录刚被其他人审核过') });
  const page = await openPage(FLAGGED);

  await tap(page.querySelector('#approve-301'));
  await tap(sheet(page).querySelector('#preset-0'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(page.querySelector('#flagged-empty')).toBeTruthy());
  expect(modals.map((m) => m.content)).toEqual(['该服务记录刚被其他人审核过']);
});

test('a queue longer than its page says how many wait in all, and counts down as visits are decided', async () => {
  mock.route('GET', '/visits/flagged', {
    statusCode: 200, data: { items: [visit(), visit({ id: 302 })], total: 250 },
  });
  mock.route('POST', '/visits/301/review', { statusCode: 200, data: visit({ status: 'approved' }) });
  const page = await openPage(FLAGGED);

  expect(page.querySelector('#flagged-count').dom.textContent).toBe('共 250 条待核实，核实前不计入服务时长');
  expect(page.querySelector('#flagged-more').dom.textContent).toBe('先显示最早的 2 条，处理后下拉刷新可看到其余的');

  await tap(page.querySelector('#approve-301'));
  await tap(sheet(page).querySelector('#preset-0'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(page.querySelector('#visit-301')).toBeFalsy());
  expect(page.querySelector('#flagged-count').dom.textContent).toBe('共 249 条待核实，核实前不计入服务时长');
  expect(page.querySelector('#flagged-more').dom.textContent).toBe('先显示最早的 1 条，处理后下拉刷新可看到其余的');
});

test('a queue that fits its page says nothing of more', async () => {
  mock.route('GET', '/visits/flagged', { statusCode: 200, data: { items: [visit()], total: 1 } });
  const page = await openPage(FLAGGED);

  expect(page.querySelector('#flagged-count').dom.textContent).toBe('共 1 条待核实，核实前不计入服务时长');
  expect(page.querySelector('#flagged-more')).toBeFalsy();
});
