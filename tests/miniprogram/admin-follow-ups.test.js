const simulate = require('miniprogram-simulate');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const FOLLOW_UPS = 'pages/admin/follow-ups/index';

function followUp(overrides = {}) {
  return Object.assign({
    id: 71,
    visit_id: 301,
    order_id: 21,
    reason: 'low_rating',
    reason_label: '低分评价',
    status: 'open',
    outcome: null,
    decision: null,
    region_code: '230124100201',
    created_at: '2030-12-03T08:00:00+00:00',
    closed_at: null,
  }, overrides);
}

let mock;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo');
});

function sheet(page) {
  return page.querySelector('#close-sheet');
}

test('open follow-ups are asked for and show why: 低分评价 or 逾期未评价', async () => {
  mock.route('GET', '/follow-ups', {
    statusCode: 200,
    data: { items: [followUp(), followUp({ id: 72, reason: 'no_rating', reason_label: '逾期未评价', order_id: 22 })] },
  });
  const page = await openPage(FOLLOW_UPS);

  expect(mock.requestsTo('/follow-ups')[0].data).toEqual({ status: 'open' });
  expect(page.querySelector('#reason-71').dom.textContent).toBe('低分评价');
  expect(page.querySelector('#reason-71').dom.className).toContain('chip-bad');
  expect(page.querySelector('#reason-72').dom.textContent).toBe('逾期未评价');
  expect(textOf(page.querySelector('#follow-up-72'))).toContain('需求单 22');

  await tap(page.querySelector('#open-order-72'));
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/admin/order/index?id=22' });
});

test('认定时长 sends the outcome with approve: true; an empty outcome is refused first', async () => {
  mock.route('GET', '/follow-ups', { statusCode: 200, data: { items: [followUp()] } });
  mock.route('POST', '/follow-ups/71/close', { statusCode: 200, data: followUp({ status: 'closed' }) });
  const page = await openPage(FOLLOW_UPS);

  await tap(page.querySelector('#approve-71'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  expect(sheet(page).querySelector('#reason-error').dom.textContent).toBe('请写下回访的情况');
  expect(mock.requestsTo('/follow-ups/71/close')).toHaveLength(0);

  sheet(page).querySelector('#reason-input').dispatchEvent('input', { detail: { value: '已电话回访，需求方说专家来了但没讲明白' } });
  await simulate.sleep(0);
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(page.querySelector('#follow-up-71')).toBeFalsy());
  expect(mock.requestsTo('/follow-ups/71/close')[0].data).toEqual({
    outcome: '已电话回访，需求方说专家来了但没讲明白', approve: true,
  });
  expect(mock.toasts.map((t) => t.title)).toContain('已认定');
});

test('不认定 sends the picked outcome with approve: false', async () => {
  mock.route('GET', '/follow-ups', { statusCode: 200, data: { items: [followUp()] } });
  mock.route('POST', '/follow-ups/71/close', { statusCode: 200, data: followUp({ status: 'closed' }) });
  const page = await openPage(FOLLOW_UPS);

  await tap(page.querySelector('#reject-71'));
  await tap(sheet(page).querySelector('#preset-0'));
  await tap(sheet(page).querySelector('#reason-confirm'));
  await waitFor(() => expect(mock.requestsTo('/follow-ups/71/close')).toHaveLength(1));
  expect(mock.requestsTo('/follow-ups/71/close')[0].data).toEqual({ outcome: '需求方反映专家未到场', approve: false });
});

test('more open follow-ups than the page holds are counted, the newest shown first', async () => {
  mock.route('GET', '/follow-ups', { statusCode: 200, data: { items: [followUp()], total: 230 } });
  const page = await openPage(FOLLOW_UPS);

  expect(page.querySelector('#follow-ups-count').dom.textContent).toBe('共 230 件待回访：请联系需求方，记下回访情况');
  expect(page.querySelector('#follow-ups-more').dom.textContent).toBe('先显示最新的 1 件，处理后下拉刷新可看到其余的');
});
