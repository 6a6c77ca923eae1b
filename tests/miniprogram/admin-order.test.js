const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { confirmModals, installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const ORDER = 'pages/admin/order/index';
const HOUR_MS = 60 * 60 * 1000;
const NEXT_YEAR = new Date().getFullYear() + 1;

function order(overrides = {}) {
  return Object.assign({
    id: 21,
    status: 'submitted',
    items: [{ code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', category: '种植技术' }],
    description: '苹果树叶子发黄卷曲，部分果子有黑斑',
    region_code: '230124100201',
    region_name: '兴隆村',
    address: '方正县方正镇兴隆村东头',
    window_start: '2030-12-03',
    window_end: '2030-12-08',
    contact_name: '刘春华',
    contact_phone: '13800000202',
    photo_ids: ['501'],
    submitted_at: new Date(Date.now() - 30 * HOUR_MS).toISOString(),
    due_at: new Date(Date.now() - HOUR_MS).toISOString(),
    version: 1,
    actions: ['accept', 'return', 'reject'],
    timeline: [{
      action: 'submit', action_label: 'submit', from_status: null, to_status: 'submitted',
      actor_role: 'requester', reason: null, at: new Date(Date.now() - 30 * HOUR_MS).toISOString(),
    }],
  }, overrides);
}

let mock;
let modals;
let modalAnswer;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo');
  modalAnswer = { confirm: true, cancel: false };
  modals = confirmModals(() => modalAnswer);
});

function openOrder(id = 21) {
  return openPage(ORDER, { id: String(id) });
}

function sheet(page) {
  return page.querySelector('#reason-sheet');
}

test('the detail shows the order, 超期, the timeline and only the actions the server allows', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  const page = await openOrder();

  expect(page.querySelector('#order-items').dom.textContent).toBe('果树病虫害诊断');
  expect(page.querySelector('#order-overdue').dom.textContent).toBe('超期');
  expect(textOf(page.querySelector('#order-due'))).toContain('办理期限');
  expect(textOf(page)).toContain('刘春华');
  expect(textOf(page.querySelector('#timeline'))).toContain('提交需求');
  expect(page.querySelector('#action-accept').dom.textContent).toBe('受理');
  expect(page.querySelector('#action-return').dom.textContent).toBe('退回补充');
  expect(page.querySelector('#action-reject').dom.textContent).toBe('不予受理');
  expect(page.querySelector('#action-dispatch')).toBeFalsy();
  expect(page.querySelector('#action-publish')).toBeFalsy();
});

test('受理 asks first, then sends an empty POST and shows the new state', async () => {
  mock.route('GET', '/orders/21', (req, nth) => ({
    statusCode: 200,
    data: nth === 1 ? order() : order({ status: 'accepted', due_at: null, actions: ['dispatch', 'publish'] }),
  }));
  mock.route('POST', '/orders/21/accept', {
    statusCode: 200, data: order({ status: 'accepted', due_at: null, actions: ['dispatch', 'publish'], timeline: undefined }),
  });
  const page = await openOrder();

  await tap(page.querySelector('#action-accept'));
  await waitFor(() => expect(page.querySelector('#action-dispatch')).toBeTruthy());
  expect(modals[0].content).toContain('确定受理');
  const [sent] = mock.requestsTo('/orders/21/accept');
  expect(sent.data).toEqual({});
  expect(sent.header['Idempotency-Key']).toEqual(expect.any(String));
  expect(mock.toasts.map((t) => t.title)).toContain('已受理');
  expect(textOf(page.querySelector('#timeline'))).toContain('提交需求');
});

test('受理 cancelled in the confirmation sends nothing', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  modalAnswer = { confirm: false, cancel: true };
  const page = await openOrder();

  await tap(page.querySelector('#action-accept'));
  await simulate.sleep(10);
  expect(mock.requestsTo('/orders/21/accept')).toHaveLength(0);
});

test('退回 needs a reason: nothing is sent without one; a preset is sent as the reason', async () => {
  mock.route('GET', '/orders/21', (req, nth) => ({
    statusCode: 200, data: nth === 1 ? order() : order({ status: 'returned', actions: [] }),
  }));
  mock.route('POST', '/orders/21/return', { statusCode: 200, data: order({ status: 'returned', actions: [] }) });
  const page = await openOrder();

  await tap(page.querySelector('#action-return'));
  expect(textOf(sheet(page))).toContain('退回需求方补充信息');
  await tap(sheet(page).querySelector('#reason-confirm'));
  expect(sheet(page).querySelector('#reason-error').dom.textContent).toBe('请点一个原因，或写几个字说明');
  expect(mock.requestsTo('/orders/21/return')).toHaveLength(0);

  await tap(sheet(page).querySelector('#preset-1'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/return')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/return')[0].data).toEqual({ reason: '请写清楚具体地点' });
  await waitFor(() => expect(sheet(page).querySelector('#reason-mask')).toBeFalsy());
  expect(mock.toasts.map((t) => t.title)).toContain('已退回');
});

test('不予受理 sends the typed reason, trimmed; a one-character reason is refused on the phone', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  mock.route('POST', '/orders/21/reject', { statusCode: 200, data: order({ status: 'rejected', actions: [] }) });
  const page = await openOrder();

  await tap(page.querySelector('#action-reject'));
  const input = sheet(page).querySelector('#reason-input');
  input.dispatchEvent('input', { detail: { value: ' 否 ' } });
  await simulate.sleep(0);
  await tap(sheet(page).querySelector('#reason-confirm'));
  expect(sheet(page).querySelector('#reason-error')).toBeTruthy();
  expect(mock.requestsTo('/orders/21/reject')).toHaveLength(0);

  input.dispatchEvent('input', { detail: { value: '  村里已另行安排农技员  ' } });
  await simulate.sleep(0);
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/reject')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/reject')[0].data).toEqual({ reason: '村里已另行安排农技员' });
});

test('a 422 keeps the sheet open with the server\'s message', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  mock.route('POST', '/orders/21/reject', {
    statusCode: 422, data: apiError('validation_failed', '原因不能超过 300 字', { reason: '原因不能超过 300 字' }),
  });
  const page = await openOrder();

  await tap(page.querySelector('#action-reject'));
  await tap(sheet(page).querySelector('#preset-0'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(sheet(page).querySelector('#reason-error').dom.textContent).toBe('原因不能超过 300 字'));
});

test('when another admin acted first (409) it says so and reloads the order', async () => {
  mock.route('GET', '/orders/21', (req, nth) => ({
    statusCode: 200, data: nth === 1 ? order() : order({ status: 'accepted', actions: ['dispatch', 'publish'] }),
  }));
  mock.route('POST', '/orders/21/accept', {
    statusCode: 409, data: apiError('invalid_transition', '该需求单已被其他管理员受理'),
  });
  const page = await openOrder();

  await tap(page.querySelector('#action-accept'));
  await waitFor(() => expect(page.querySelector('#action-dispatch')).toBeTruthy());
  expect(modals.map((m) => m.content)).toContain('该需求单已被其他管理员受理');
  expect(mock.requestsTo('/orders/21')).toHaveLength(2);
  expect(page.querySelector('#action-accept')).toBeFalsy();
});

test('派单 opens the dispatch screen; 发布揭榜 sends the picked deadline at 18:00 Beijing time', async () => {
  const accepted = order({ status: 'accepted', due_at: null, actions: ['dispatch', 'publish'] });
  mock.route('GET', '/orders/21', { statusCode: 200, data: accepted });
  mock.route('POST', '/orders/21/publish', { statusCode: 200, data: order({ status: 'published', actions: ['recall'] }) });
  const page = await openOrder();

  await tap(page.querySelector('#action-dispatch'));
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/admin/dispatch/index?id=21' });

  await tap(page.querySelector('#action-publish'));
  const publish = page.querySelector('#publish-sheet');
  expect(textOf(publish)).toContain('默认 5 个工作日后');
  publish.querySelector('#deadline-picker').dispatchEvent('change', { detail: { value: `${NEXT_YEAR}-01-09` } });
  await simulate.sleep(0);
  expect(textOf(publish.querySelector('#deadline-pick'))).toContain('1月9日');
  await tap(publish.querySelector('#publish-confirm'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/publish')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/publish')[0].data).toEqual({ claim_deadline: `${NEXT_YEAR}-01-09T18:00:00+08:00` });
  await waitFor(() => expect(mock.toasts.map((t) => t.title)).toContain('已发布揭榜'));
});

test('发布揭榜 without a picked day leaves the deadline to the server', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order({ status: 'accepted', actions: ['dispatch', 'publish'] }) });
  mock.route('POST', '/orders/21/publish', { statusCode: 200, data: order({ status: 'published', actions: ['recall'] }) });
  const page = await openOrder();

  await tap(page.querySelector('#action-publish'));
  await tap(page.querySelector('#publish-sheet').querySelector('#publish-confirm'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/publish')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/publish')[0].data).toEqual({});
});

test('揭榜 waiting for confirmation: 确认揭榜 posts to claim/confirm, 重新发榜 sends the reason', async () => {
  const claimed = order({ status: 'claimed', actions: ['confirm_claim', 'reopen_claim'] });
  mock.route('GET', '/orders/21', { statusCode: 200, data: claimed });
  mock.route('POST', '/orders/21/claim/confirm', { statusCode: 200, data: order({ status: 'scheduled', actions: ['admin_close'] }) });
  mock.route('POST', '/orders/21/claim/reopen', { statusCode: 200, data: order({ status: 'published', actions: ['recall'] }) });
  const page = await openOrder();

  await tap(page.querySelector('#action-reopen'));
  await tap(sheet(page).querySelector('#preset-0'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/claim/reopen')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/claim/reopen')[0].data).toEqual({ reason: '专业方向不对口' });

  await tap(page.querySelector('#action-confirm-claim'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/claim/confirm')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/claim/confirm')[0].data).toEqual({});
});

test('撤回 and 办结 each send their reason to their own path', async () => {
  mock.route('GET', '/orders/21', (req, nth) => ({
    statusCode: 200,
    data: nth === 1
      ? order({ status: 'dispatched', actions: ['recall'] })
      : order({ status: 'scheduled', actions: ['admin_close'] }),
  }));
  mock.route('POST', '/orders/21/recall', { statusCode: 200, data: order({ status: 'accepted', actions: [] }) });
  mock.route('POST', '/orders/21/close', { statusCode: 200, data: order({ status: 'closed', actions: [] }) });
  const page = await openOrder();

  await tap(page.querySelector('#action-recall'));
  await tap(sheet(page).querySelector('#preset-0'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(page.querySelector('#action-close')).toBeTruthy());
  expect(mock.requestsTo('/orders/21/recall')[0].data).toEqual({ reason: '专家长时间未答复' });

  await tap(page.querySelector('#action-close'));
  await tap(sheet(page).querySelector('#preset-0'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/close')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/close')[0].data).toEqual({ reason: '问题已解决，已电话向需求方确认' });
});
