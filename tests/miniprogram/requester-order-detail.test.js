const path = require('path');
const simulate = require('miniprogram-simulate');
const { apiError, installWx } = require('./helpers/wx-mock');
const { MINIPROGRAM_ROOT, textOf, waitFor } = require('./helpers/miniprogram');

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
  mock = installWx({ storage: { 'auth.accessToken': 'access-1', 'auth.refreshToken': 'refresh-1' } });
  global.wx.navigateTo = jest.fn();
  modals = [];
  global.wx.showModal = (options) => {
    modals.push(options);
    if (options.success) options.success({ confirm: true, cancel: false });
  };
});

async function openDetail(id) {
  const componentId = simulate.load(path.join(MINIPROGRAM_ROOT, DETAIL), { rootPath: MINIPROGRAM_ROOT });
  const page = simulate.render(componentId);
  page.attach(document.createElement('parent-wrapper'));
  page.instance.onLoad({ id });
  await waitFor(() => expect(page.instance.data.status).not.toBe('loading'));
  await simulate.sleep(0);
  return page;
}

async function tap(page, selector) {
  const node = page.querySelector(selector);
  if (!node) {
    throw new Error(`nothing rendered matches ${selector}`);
  }
  node.dispatchEvent('tap');
  await simulate.sleep(0);
}

function shown(page, selector) {
  const node = page.querySelector(selector);
  return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null;
}

test('the timeline lists every step with its label, new state, Beijing time and who acted', async () => {
  mock.route('GET', '/orders/7', { statusCode: 200, data: returnedOrder() });
  const page = await openDetail('7');

  expect(shown(page, '#detail-items')).toBe('果树病虫害诊断');
  expect(shown(page, '#detail-status')).toBe('退回补充');
  expect(shown(page, '#detail-window')).toBe('12月3日 至 12月8日');
  expect(textOf(page)).toContain('代村民赵大山');
  expect(textOf(page)).toContain('照片2 张');

  expect(shown(page, '#step-0')).toBe('提交需求→ 待受理12月1日 14:05 需求方');
  expect(shown(page, '#step-1')).toContain('退回补充→ 退回补充12月2日 09:30 属地管理员');
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
