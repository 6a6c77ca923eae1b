const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { confirmModals, installLoggedInWx, mockWx, openPage, shown, tap } = require('./helpers/page');

const DETAIL = 'pages/requester/order-detail/index';
const THIS_YEAR = new Date().getFullYear();

function returnedOrder(overrides = {}) {
  return Object.assign({
    id: 7,
    status: 'returned',
    status_label: '退回补充',
    items: [{ code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', category: '种植技术' }],
    description: '苹果树叶子发黄卷曲，部分果子有黑斑',
    region_code: '230184200201',
    region_name: '民乐村',
    window_start: `${THIS_YEAR}-12-03`,
    window_end: `${THIS_YEAR}-12-08`,
    on_behalf_of: '赵大山',
    contact_phone: '13800000201',
    address: '五常市民乐乡民乐村三组',
    latitude: 45.03,
    longitude: 127.09,
    photo_ids: ['p-1', 'p-2'],
    last_reason: '请补充果园面积和发病部位的照片',
    submitted_at: `${THIS_YEAR}-12-01T06:05:00+00:00`,
    version: 2,
    actions: ['resubmit', 'cancel'],
    timeline: [
      {
        action: 'submit', action_label: 'submit', from_status: null, to_status: 'submitted',
        actor_role: 'requester', reason: null, at: `${THIS_YEAR}-12-01T06:05:00+00:00`,
      },
      {
        action: 'return', action_label: '退回补充', from_status: 'submitted', to_status: 'returned',
        actor_role: 'local_admin', reason: '请补充果园面积和发病部位的照片', at: `${THIS_YEAR}-12-02T01:30:00+00:00`,
      },
    ],
  }, overrides);
}

function cancelledOrder() {
  const order = returnedOrder({ status: 'cancelled', status_label: '已撤销', actions: [], last_reason: '问题已经解决了' });
  order.timeline = order.timeline.concat([{
    action: 'cancel', action_label: '撤销', from_status: 'returned', to_status: 'cancelled',
    actor_role: 'requester', reason: '问题已经解决了', at: `${THIS_YEAR}-12-02T03:00:00+00:00`,
  }]);
  return order;
}

let mock;
let modals;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo');
  modals = confirmModals();
});

function openDetail(id) {
  return openPage(DETAIL, { id });
}

test('the timeline lists every step with its label, new state, Beijing time and who acted', async () => {
  mock.route('GET', '/orders/7', { statusCode: 200, data: returnedOrder() });
  const page = await openDetail('7');

  expect(shown(page, '#detail-items')).toBe('果树病虫害诊断');
  expect(shown(page, '#detail-status')).toBe('退回补充');
  expect(shown(page, '#detail-window')).toBe('12月3日 至 12月8日');
  expect(textOf(page)).toContain('代村民赵大山');
  expect(textOf(page)).toContain('照片2 张');

  expect(shown(page, '#step-0')).toBe('提交需求需求方→ 待受理12月1日 14:05');
  // The new state is left out where it only repeats the action (「退回补充 → 退回补充」).
  expect(shown(page, '#step-1')).toContain('退回补充属地管理员12月2日 09:30');
  expect(page.querySelector('#step-1 .step-status')).toBeFalsy();
  expect(shown(page, '#step-reason-1')).toBe('退回原因：请补充果园面积和发病部位的照片');
  expect(page.querySelector('#step-reason-0')).toBeFalsy();
});

test('the returned reason is highlighted at the top and in the timeline', async () => {
  mock.route('GET', '/orders/7', { statusCode: 200, data: returnedOrder() });
  const page = await openDetail('7');

  expect(shown(page, '#reason-banner')).toBe('退回原因请补充果园面积和发病部位的照片');
  expect(page.instance.data.order.timeline[1].highlight).toBe(true);
  expect(page.querySelector('#step-1').dom.className).toContain('step-highlight');
  expect(page.querySelector('#step-0').dom.className).not.toContain('step-highlight');
});

test('补充信息 opens the form for this order', async () => {
  mock.route('GET', '/orders/7', { statusCode: 200, data: returnedOrder() });
  const page = await openDetail('7');

  await tap(page, '#action-resubmit');

  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/requester/order-form/index?id=7' });
});

test('the buttons follow the server\'s actions', async () => {
  mock.route('GET', '/orders/7', { statusCode: 200, data: returnedOrder({ status: 'accepted', actions: ['cancel'] }) });
  const page = await openDetail('7');

  expect(page.querySelector('#action-resubmit')).toBeFalsy();
  expect(page.querySelector('#action-cancel')).toBeTruthy();
  expect(page.querySelector('#reason-banner')).toBeFalsy();
});

test('撤销 needs a reason: nothing is sent without one', async () => {
  mock.route('GET', '/orders/7', { statusCode: 200, data: returnedOrder() });
  const page = await openDetail('7');

  await tap(page, '#action-cancel');
  expect(textOf(page)).toContain('为什么要撤销？');
  await tap(page, '#confirm-cancel');

  expect(shown(page, '#cancel-error')).toBe('请点一个原因，或写几个字说明为什么撤销');
  expect(mock.requestsTo('/orders/7/cancel')).toHaveLength(0);
});

test('撤销 with a tapped preset reason sends it and shows the cancelled order', async () => {
  mock.route('GET', '/orders/7', (req, nth) => ({ statusCode: 200, data: nth === 1 ? returnedOrder() : cancelledOrder() }));
  mock.route('POST', '/orders/7/cancel', { statusCode: 200, data: cancelledOrder() });
  const page = await openDetail('7');

  await tap(page, '#action-cancel');
  await tap(page, '#reason-0');
  await tap(page, '#confirm-cancel');
  await waitFor(() => expect(shown(page, '#detail-status')).toBe('已撤销'));

  const [sent] = mock.requestsTo('/orders/7/cancel');
  expect(sent.data).toEqual({ reason: '问题已经解决了' });
  expect(page.querySelector('#cancel-sheet')).toBeFalsy();
  expect(page.querySelector('#action-cancel')).toBeFalsy();
  expect(shown(page, '#step-reason-2')).toBe('撤销原因：问题已经解决了');
  expect(mock.toasts.map((toast) => toast.title)).toContain('已撤销');
});

test('撤销 with a typed reason sends what was typed', async () => {
  mock.route('GET', '/orders/7', (req, nth) => ({ statusCode: 200, data: nth === 1 ? returnedOrder() : cancelledOrder() }));
  mock.route('POST', '/orders/7/cancel', { statusCode: 200, data: cancelledOrder() });
  const page = await openDetail('7');

  await tap(page, '#action-cancel');
  page.querySelector('#cancel-reason-input').dispatchEvent('input', { detail: { value: '  树已经砍了  ' } });
  await simulate.sleep(0);
  await tap(page, '#confirm-cancel');
  await waitFor(() => expect(shown(page, '#detail-status')).toBe('已撤销'));

  expect(mock.requestsTo('/orders/7/cancel')[0].data).toEqual({ reason: '树已经砍了' });
});

test('a 409 on 撤销 shows the server\'s message and reloads the order', async () => {
  const accepted = returnedOrder({ status: 'in_service', status_label: '服务中', actions: [] });
  mock.route('GET', '/orders/7', (req, nth) => ({ statusCode: 200, data: nth === 1 ? returnedOrder() : accepted }));
  mock.route('POST', '/orders/7/cancel', {
    statusCode: 409,
    data: apiError('invalid_transition', '该需求单当前为「服务中」，不能撤销'),
  });
  const page = await openDetail('7');

  await tap(page, '#action-cancel');
  await tap(page, '#reason-1');
  await tap(page, '#confirm-cancel');
  await waitFor(() => expect(shown(page, '#detail-status')).toBe('服务中'));

  expect(modals.map((modal) => modal.content)).toEqual(['该需求单当前为「服务中」，不能撤销']);
  expect(mock.requestsTo('/orders/7')).toHaveLength(2);
  expect(page.querySelector('#cancel-sheet')).toBeFalsy();
});

test('an order that cannot be loaded says why, and 重试 loads it', async () => {
  mock.route('GET', '/orders/7', (req, nth) => (nth === 1
    ? { fail: 'request:fail timeout' }
    : { statusCode: 200, data: returnedOrder() }));
  const page = await openDetail('7');

  expect(textOf(page)).toContain('网络不稳定，请检查网络后重试');
  page.querySelector('#detail-state').querySelector('.state-retry').dispatchEvent('tap');

  await waitFor(() => expect(shown(page, '#detail-status')).toBe('退回补充'));
});

describe('once an expert has come', () => {
  function servicedOrder(overrides = {}) {
    return returnedOrder(Object.assign({
      status: 'serviced',
      status_label: '服务完成，待办结',
      last_reason: null,
      agreed_visit_at: `${THIS_YEAR}-12-05T01:00:00+00:00`,
      actions: ['confirm_solved', 'request_revisit'],
    }, overrides));
  }

  function visitsBody() {
    return [
      {
        id: 31, expert_name: '王建国', status: 'verified', check_in_at: `${THIS_YEAR}-12-05T01:05:00+00:00`,
        check_out_at: `${THIS_YEAR}-12-05T03:35:00+00:00`, duration_minutes: 150, rating: null, can_rate: true,
      },
      {
        id: 30, expert_name: '王建国', status: 'verified', check_in_at: `${THIS_YEAR}-12-04T01:00:00+00:00`,
        check_out_at: `${THIS_YEAR}-12-04T02:00:00+00:00`, duration_minutes: 60, can_rate: false,
        rating: { visit_id: 30, overall: 4, attitude: 5, expertise: 4, solved: 'partly', solved_label: '部分解决', comment: '' },
      },
    ];
  }

  test('a scheduled order offers 出示签到码 and says when the expert comes', async () => {
    mock.route('GET', '/orders/7', {
      statusCode: 200,
      data: servicedOrder({ status: 'scheduled', actions: ['cancel'], expert_name: '王建国' }),
    });
    mock.route('GET', '/orders/7/visits', { statusCode: 200, data: [] });
    const page = await openDetail('7');

    expect(shown(page, '#expert-name')).toBe('王建国');
    expect(shown(page, '#agreed-visit')).toBe('12月5日 09:00 上门');
    await tap(page, '#action-show-code');
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/requester/checkin-code/index?id=7' });
    expect(page.querySelector('#action-confirm-solved')).toBeFalsy();
  });

  test('the visits are listed with their rating, and 去评价 opens the rating of that visit', async () => {
    mock.route('GET', '/orders/7', { statusCode: 200, data: servicedOrder() });
    mock.route('GET', '/orders/7/visits', { statusCode: 200, data: visitsBody() });
    const page = await openDetail('7');

    expect(shown(page, '#visit-31')).toContain('还没有评价');
    expect(shown(page, '#visit-30')).toContain('已评价 4 星 · 部分解决');
    expect(page.querySelector('#rate-visit-30')).toBeFalsy();
    await tap(page, '#rate-visit-31');
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/requester/checkin-code/index?id=7&visit=31' });
  });

  test('确认问题已解决 sends confirm-solved and shows the closed order', async () => {
    mock.route('GET', '/orders/7', (req, nth) => ({
      statusCode: 200,
      data: nth === 1 ? servicedOrder() : servicedOrder({ status: 'closed', status_label: '已办结', actions: [] }),
    }));
    mock.route('GET', '/orders/7/visits', { statusCode: 200, data: visitsBody() });
    mock.route('POST', '/orders/7/confirm-solved', { statusCode: 200, data: servicedOrder({ status: 'closed', actions: [] }) });
    const page = await openDetail('7');

    await tap(page, '#action-confirm-solved');
    await waitFor(() => expect(shown(page, '#detail-status')).toBe('已办结'));

    expect(mock.requestsTo('/orders/7/confirm-solved')).toHaveLength(1);
    expect(page.querySelector('#action-confirm-solved')).toBeFalsy();
    expect(mock.toasts.map((toast) => toast.title)).toContain('已办结');
  });

  test('还需要专家再来 asks why and sends the reason', async () => {
    mock.route('GET', '/orders/7', { statusCode: 200, data: servicedOrder() });
    mock.route('GET', '/orders/7/visits', { statusCode: 200, data: visitsBody() });
    mock.route('POST', '/orders/7/request-revisit', { statusCode: 200, data: servicedOrder({ status: 'scheduled' }) });
    const page = await openDetail('7');

    await tap(page, '#action-request-revisit');
    await tap(page, '#send-revisit');
    expect(shown(page, '#revisit-error')).toBe('请点一个原因，或写几个字说明为什么还要再来');
    expect(mock.requestsTo('/orders/7/request-revisit')).toHaveLength(0);

    page.querySelector('#revisit-reason-input').dispatchEvent('input', { detail: { value: '  梨树又开始落叶  ' } });
    await simulate.sleep(0);
    await tap(page, '#send-revisit');
    await waitFor(() => expect(mock.requestsTo('/orders/7/request-revisit')).toHaveLength(1));

    expect(mock.requestsTo('/orders/7/request-revisit')[0].data).toEqual({ reason: '梨树又开始落叶' });
    await waitFor(() => expect(page.querySelector('#revisit-sheet')).toBeFalsy());
  });
});

test('an order that does not exist offers 返回', async () => {
  mock.route('GET', '/orders/7', { statusCode: 404, data: apiError('order_not_found', '需求单不存在') });
  mockWx('navigateBack');
  global.getCurrentPages = () => [{}, {}];
  const page = await openDetail('7');

  expect(textOf(page)).toContain('需求单不存在');
  await tap(page, '#detail-back');
  expect(wx.navigateBack).toHaveBeenCalledWith({ delta: 1 });
  delete global.getCurrentPages;
});
