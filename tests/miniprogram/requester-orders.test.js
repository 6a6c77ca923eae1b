const simulate = require('miniprogram-simulate');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const ORDERS = 'pages/requester/orders/index';
const THIS_YEAR = new Date().getFullYear();

function order(id, overrides = {}) {
  return Object.assign({
    id,
    status: 'submitted',
    status_label: '待受理',
    items: [{ code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', category: '种植技术' }],
    description: `第 ${id} 个问题：苹果树叶子发黄`,
    region_code: '230184200201',
    region_name: '民乐村',
    window_start: `${THIS_YEAR}-12-03`,
    window_end: `${THIS_YEAR}-12-08`,
    contact_phone: '13800000201',
    photo_ids: [],
    last_reason: null,
    // 06:05 UTC is 14:05 in Beijing.
    submitted_at: `${THIS_YEAR}-12-01T06:05:00+00:00`,
    version: 1,
    actions: ['cancel'],
  }, overrides);
}

let mock;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo', 'stopPullDownRefresh');
});

test('my orders show items, a coloured status badge, the returned reason and the Beijing time', async () => {
  mock.route('GET', '/orders', {
    statusCode: 200,
    data: {
      items: [
        order(2, { status: 'returned', last_reason: '请补充果园面积' }),
        order(1, { status: 'closed' }),
      ],
      next_cursor: null,
    },
  });

  const page = await openPage(ORDERS, {}, { until: 'called' });
  await waitFor(() => expect(textOf(page)).toContain('第 2 个问题'));

  const first = page.querySelector('#order-2');
  expect(first.dom.textContent).toContain('果树病虫害诊断');
  expect(first.dom.textContent).toContain('退回补充');
  expect(first.dom.textContent).toContain('退回原因：请补充果园面积');
  expect(first.dom.textContent).toContain('12月1日 14:05');
  expect(first.dom.innerHTML).toContain('color: #b3261e');
  expect(page.querySelector('#order-1').dom.textContent).toContain('已办结');
  expect(page.querySelector('#order-1').dom.innerHTML).toContain('color: #3d4550');
  expect(textOf(page)).toContain('没有更多了');
  expect(page.querySelector('#load-more')).toBeFalsy();

  await tap(page, '#order-2');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/requester/order-detail/index?id=2' });
});

test('加载更多 asks for the next page by cursor and appends it', async () => {
  mock.route('GET', '/orders', (req) => (req.data.cursor === 'bzox'
    ? { statusCode: 200, data: { items: [order(1)], next_cursor: null } }
    : { statusCode: 200, data: { items: [order(3), order(2)], next_cursor: 'bzox' } }));

  const page = await openPage(ORDERS, {}, { until: 'called' });
  await waitFor(() => expect(page.querySelector('#load-more')).toBeTruthy());
  expect(textOf(page)).not.toContain('没有更多了');

  await tap(page, '#load-more');
  await waitFor(() => expect(page.querySelector('#order-1')).toBeTruthy());

  const shownOrder = page.querySelectorAll('.order-card')
    .map((card) => /第 (\d+) 个问题/.exec(card.dom.textContent)[1]);
  expect(shownOrder).toEqual(['3', '2', '1']);
  expect(mock.requestsTo('/orders').map((req) => req.data)).toEqual([{ limit: 10 }, { limit: 10, cursor: 'bzox' }]);
  expect(page.querySelector('#load-more')).toBeFalsy();
  expect(textOf(page)).toContain('没有更多了');

  // Scrolling to the end when there is nothing more asks for nothing.
  await page.instance.onReachBottom();
  expect(mock.requestsTo('/orders')).toHaveLength(2);
});

test('scrolling to the bottom loads the next page too, and a failed page can be tried again', async () => {
  mock.route('GET', '/orders', (req, nth) => {
    if (!req.data.cursor) return { statusCode: 200, data: { items: [order(3)], next_cursor: 'c2' } };
    return nth === 2 ? { fail: 'request:fail timeout' } : { statusCode: 200, data: { items: [order(2)], next_cursor: null } };
  });
  const page = await openPage(ORDERS, {}, { until: 'called' });
  await waitFor(() => expect(page.querySelector('#order-3')).toBeTruthy());

  await page.instance.onReachBottom();
  await simulate.sleep(0);
  expect(page.querySelector('#more-error').dom.textContent).toBe('网络不稳定，请检查网络后重试');
  expect(page.querySelector('#order-3')).toBeTruthy();

  await tap(page, '#load-more');
  await waitFor(() => expect(page.querySelector('#order-2')).toBeTruthy());
  expect(page.querySelector('#more-error')).toBeFalsy();
});

test('pull-down refresh reloads from the first page and stops the spinner', async () => {
  mock.route('GET', '/orders', (req, nth) => ({
    statusCode: 200,
    data: { items: nth === 1 ? [order(1)] : [order(2), order(1)], next_cursor: null },
  }));
  const page = await openPage(ORDERS, {}, { until: 'called' });
  await waitFor(() => expect(page.querySelector('#order-1')).toBeTruthy());

  await page.instance.onPullDownRefresh();
  await simulate.sleep(0);

  expect(page.querySelector('#order-2')).toBeTruthy();
  expect(wx.stopPullDownRefresh).toHaveBeenCalled();
  expect(mock.requestsTo('/orders').map((req) => req.data)).toEqual([{ limit: 10 }, { limit: 10 }]);
});

test('no orders yet: says so with a button to the menu', async () => {
  mock.route('GET', '/orders', { statusCode: 200, data: { items: [], next_cursor: null } });
  const page = await openPage(ORDERS, {}, { until: 'called' });

  await waitFor(() => expect(textOf(page)).toContain('您还没有下过单'));
  page.querySelector('#orders-state').querySelector('.state-action').dispatchEvent('tap');
  await simulate.sleep(0);

  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/requester/menu/index' });
});

test('a list that fails to load shows the reason with 重试', async () => {
  mock.route('GET', '/orders', (req, nth) => (nth === 1
    ? { fail: 'request:fail ' }
    : { statusCode: 200, data: { items: [order(1)], next_cursor: null } }));
  const page = await openPage(ORDERS, {}, { until: 'called' });

  await waitFor(() => expect(textOf(page)).toContain('网络不稳定，请检查网络后重试'));
  page.querySelector('#orders-state').querySelector('.state-retry').dispatchEvent('tap');

  await waitFor(() => expect(page.querySelector('#order-1')).toBeTruthy());
});
