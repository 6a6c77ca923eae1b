const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { confirmModals, installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const TASKS = 'pages/expert/tasks/index';
const THIS_YEAR = new Date().getFullYear();

function order(overrides = {}) {
  return Object.assign({
    id: 7,
    status: 'dispatched',
    status_label: '已派单，待专家接单',
    items: [{ code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', category: '种植技术' }],
    description: '苹果树叶子发黄卷曲，部分果子有黑斑',
    region_name: '民乐村',
    window_start: `${THIS_YEAR}-12-03`,
    window_end: `${THIS_YEAR}-12-08`,
    contact_phone: '138****0201',
    address: '五常市民乐乡民乐村三组',
    latitude: null,
    longitude: null,
    photo_ids: [],
    actions: ['expert_accept', 'decline'],
  }, overrides);
}

let mock;
let modals;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo');
  global.wx.getNetworkType = (options) => options.success({ networkType: 'wifi' });
  mockWx('onNetworkStatusChange');
  modals = confirmModals();
});

function sheet(page) {
  return page.querySelector('#answer-sheet');
}

test('the tasks page groups what waits for an answer and what to go and scan', async () => {
  mock.route('GET', '/orders', {
    statusCode: 200,
    data: {
      items: [
        order(),
        order({ id: 8, status: 'scheduled', actions: [], contact_phone: '13800000201' }),
        order({ id: 9, status: 'closed', actions: [] }),
      ],
      next_cursor: null,
    },
  });
  const page = await openPage(TASKS);

  expect(textOf(page.querySelector('#answer-7'))).toContain('果树病虫害诊断');
  expect(textOf(page.querySelector('#answer-7'))).toContain('民乐村');
  expect(page.querySelector('#accept-7').dom.textContent).toBe('接单');
  expect(page.querySelector('#decline-7').dom.textContent).toBe('谢绝');
  expect(textOf(page)).toContain('等您答复（1）');
  expect(page.querySelector('#scan-8').dom.textContent).toBe('扫码签到');
  expect(page.querySelector('#scan-7')).toBeFalsy();
  expect(textOf(page.querySelector('#done-9'))).toContain('已办结');

  await tap(page.querySelector('#scan-8'));
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expert/scan/index?order=8' });
});

test('接单 without a time sends an empty body and moves the task to 待上门', async () => {
  const scheduled = order({ status: 'scheduled', actions: [] });
  mock.route('GET', '/orders', (req, nth) => ({
    statusCode: 200, data: { items: [nth === 1 ? order() : scheduled], next_cursor: null },
  }));
  mock.route('POST', '/orders/7/expert-accept', { statusCode: 200, data: scheduled });
  const page = await openPage(TASKS);

  await tap(page.querySelector('#accept-7'));
  expect(textOf(sheet(page))).toContain('接单');
  await tap(sheet(page).querySelector('#confirm-answer'));

  await waitFor(() => expect(page.querySelector('#scan-7')).toBeTruthy());
  const [sent] = mock.requestsTo('/orders/7/expert-accept');
  expect(sent.data).toEqual({});
  expect(sent.header['Idempotency-Key']).toEqual(expect.any(String));
  expect(mock.toasts.map((t) => t.title)).toContain('已接单');
  expect(sheet(page).querySelector('#answer-mask')).toBeFalsy();
});

test('接单 with a picked day and time sends visit_at in China time', async () => {
  mock.route('GET', '/orders', { statusCode: 200, data: { items: [order()], next_cursor: null } });
  mock.route('POST', '/orders/7/expert-accept', { statusCode: 200, data: order({ status: 'scheduled', actions: [] }) });
  const page = await openPage(TASKS);

  await tap(page.querySelector('#accept-7'));
  sheet(page).querySelector('#day-picker').dispatchEvent('change', { detail: { value: `${THIS_YEAR}-12-05` } });
  await simulate.sleep(0);
  sheet(page).querySelector('#time-picker').dispatchEvent('change', { detail: { value: '14:30' } });
  await simulate.sleep(0);
  expect(sheet(page).querySelector('#pick-time').dom.textContent).toBe('上门时间：14:30');
  await tap(sheet(page).querySelector('#confirm-answer'));

  await waitFor(() => expect(mock.requestsTo('/orders/7/expert-accept')).toHaveLength(1));
  expect(mock.requestsTo('/orders/7/expert-accept')[0].data).toEqual({ visit_at: `${THIS_YEAR}-12-05T14:30:00+08:00` });
});

test('谢绝 needs a reason: nothing is sent without one', async () => {
  mock.route('GET', '/orders', { statusCode: 200, data: { items: [order()], next_cursor: null } });
  const page = await openPage(TASKS);

  await tap(page.querySelector('#decline-7'));
  expect(textOf(sheet(page))).toContain('为什么谢绝？');
  await tap(sheet(page).querySelector('#confirm-answer'));

  expect(sheet(page).querySelector('#answer-error').dom.textContent).toBe('请点一个原因，或写几个字说明为什么谢绝');
  expect(mock.requestsTo('/orders/7/decline')).toHaveLength(0);
});

test('谢绝 with a preset reason sends it; with a typed one sends what was typed', async () => {
  mock.route('GET', '/orders', (req, nth) => ({
    statusCode: 200, data: { items: nth === 1 ? [order(), order({ id: 8 })] : [order({ id: 8 })], next_cursor: null },
  }));
  mock.route('POST', '/orders/7/decline', { statusCode: 200, data: order({ status: 'accepted', actions: [] }) });
  mock.route('POST', '/orders/8/decline', { statusCode: 200, data: order({ id: 8, status: 'accepted', actions: [] }) });
  const page = await openPage(TASKS);

  await tap(page.querySelector('#decline-7'));
  await tap(sheet(page).querySelector('#decline-reason-1'));
  await tap(sheet(page).querySelector('#confirm-answer'));
  await waitFor(() => expect(page.querySelector('#answer-7')).toBeFalsy());
  expect(mock.requestsTo('/orders/7/decline')[0].data).toEqual({ reason: '不是我的专业方向' });
  expect(mock.toasts.map((t) => t.title)).toContain('已谢绝');

  await tap(page.querySelector('#decline-8'));
  sheet(page).querySelector('#decline-reason-input').dispatchEvent('input', { detail: { value: '  这几天在外地开会  ' } });
  await simulate.sleep(0);
  await tap(sheet(page).querySelector('#confirm-answer'));
  await waitFor(() => expect(mock.requestsTo('/orders/8/decline')).toHaveLength(1));
  expect(mock.requestsTo('/orders/8/decline')[0].data).toEqual({ reason: '这几天在外地开会' });
});

test('an answer to a task that changed meanwhile (409) says so and reloads the list', async () => {
  mock.route('GET', '/orders', (req, nth) => ({
    statusCode: 200, data: { items: nth === 1 ? [order()] : [], next_cursor: null },
  }));
  mock.route('POST', '/orders/7/expert-accept', {
    statusCode: 409, data: apiError('invalid_transition', '该需求单已被管理员撤回，不能接单'),
  });
  const page = await openPage(TASKS);

  await tap(page.querySelector('#accept-7'));
  await tap(sheet(page).querySelector('#confirm-answer'));

  await waitFor(() => expect(page.querySelector('#tasks-empty')).toBeTruthy());
  expect(modals.map((m) => m.content)).toEqual(['该需求单已被管理员撤回，不能接单']);
});

test('a list that cannot load says why, and 重试 loads it', async () => {
  mock.route('GET', '/orders', (req, nth) => (nth === 1
    ? { fail: 'request:fail timeout' }
    : { statusCode: 200, data: { items: [order()], next_cursor: null } }));
  const page = await openPage(TASKS);

  expect(textOf(page)).toContain('网络不稳定，请检查网络后重试');
  await tap(page.querySelector('#tasks-state').querySelector('.state-retry'));
  await waitFor(() => expect(page.querySelector('#accept-7')).toBeTruthy());
});
