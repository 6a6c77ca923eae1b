const path = require('path');
const simulate = require('miniprogram-simulate');
const { MINIPROGRAM_ROOT, textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const QUEUE = 'pages/admin/queue/index';
const HOUR_MS = 60 * 60 * 1000;

function ago(hours) {
  return new Date(Date.now() - hours * HOUR_MS).toISOString();
}

function order(overrides = {}) {
  return Object.assign({
    id: 21,
    status: 'submitted',
    items: [{ code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', category: '种植技术' }],
    description: '苹果树叶子发黄卷曲，部分果子有黑斑',
    region_code: '230124100201',
    region_name: '兴隆村',
    window_start: '2030-12-03',
    window_end: '2030-12-08',
    contact_phone: '13800000202',
    submitted_at: ago(51),
    due_at: new Date(Date.now() + 5 * HOUR_MS).toISOString(),
    actions: ['accept', 'return', 'reject'],
  }, overrides);
}

let mock;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo');
});

function openQueue(query = {}) {
  return openPage(QUEUE, query);
}

function statusesAsked() {
  return mock.requestsTo('/orders').map((req) => req.data.status);
}

test('the queue opens on 待受理 and shows village, items, waiting time and a red 超期 when the deadline passed', async () => {
  mock.route('GET', '/orders', {
    statusCode: 200,
    data: {
      items: [
        order(),
        order({ id: 22, region_name: '民乐村', submitted_at: ago(3), due_at: ago(1) }),
      ],
      next_cursor: null,
    },
  });
  const page = await openQueue();

  expect(statusesAsked()).toEqual(['submitted']);
  expect(page.querySelector('#tab-submitted').dom.className).toContain('tab-active');
  const first = page.querySelector('#order-21');
  expect(textOf(first)).toContain('兴隆村');
  expect(textOf(first)).toContain('果树病虫害诊断');
  expect(page.querySelector('#waiting-21').dom.textContent).toBe('已等 2 天 3 小时');
  expect(page.querySelector('#overdue-21')).toBeFalsy();
  expect(page.querySelector('#overdue-22').dom.textContent).toBe('超期');
  expect(page.querySelector('#waiting-22').dom.textContent).toBe('已等 3 小时');
  expect(textOf(page.querySelector('#queue-count'))).toBe('共 2 件，1 件已超期');

  await tap(first);
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/admin/order/index?id=21' });
});

test('each tab asks for its own status: 待派单 accepted, 揭榜中 published, 待确认 claimed', async () => {
  mock.route('GET', '/orders', (req) => ({
    statusCode: 200,
    data: { items: [order({ id: 30, status: req.data.status })], next_cursor: null },
  }));
  const page = await openQueue();

  await tap(page.querySelector('#tab-accepted'));
  await waitFor(() => expect(statusesAsked()).toEqual(['submitted', 'accepted']));
  await tap(page.querySelector('#tab-published'));
  await tap(page.querySelector('#tab-claimed'));
  await waitFor(() => expect(statusesAsked()).toEqual(['submitted', 'accepted', 'published', 'claimed']));
  await waitFor(() => expect(textOf(page.querySelector('#order-30'))).toContain('已揭榜，待确认'));
  expect(page.querySelector('#tab-claimed').dom.className).toContain('tab-active');
  expect(mock.requestsTo('/orders')[0].header.Authorization).toBe('Bearer access-1');
});

test('a slow answer for the tab left behind does not replace the tab tapped since', async () => {
  let releaseFirst;
  mock.route('GET', '/orders', (req) => {
    if (req.data.status === 'submitted') {
      return new Promise((resolve) => {
        releaseFirst = () => resolve({ statusCode: 200, data: { items: [order({ id: 1 })], next_cursor: null } });
      });
    }
    return { statusCode: 200, data: { items: [order({ id: 2, status: 'accepted' })], next_cursor: null } };
  });
  const id = simulate.load(path.join(MINIPROGRAM_ROOT, QUEUE), { rootPath: MINIPROGRAM_ROOT });
  const page = simulate.render(id);
  page.attach(document.createElement('parent-wrapper'));
  page.instance.onLoad({});
  await simulate.sleep(5);

  await tap(page.querySelector('#tab-accepted'));
  await waitFor(() => expect(page.querySelector('#order-2')).toBeTruthy());
  releaseFirst();
  await simulate.sleep(10);

  expect(page.querySelector('#order-1')).toBeFalsy();
  expect(page.querySelector('#order-2')).toBeTruthy();
});

test('the queue may open on a tab, pages on with the cursor, and says when it is empty', async () => {
  mock.route('GET', '/orders', (req) => {
    if (req.data.status === 'published' && !req.data.cursor) {
      return { statusCode: 200, data: { items: [order({ id: 40, status: 'published' })], next_cursor: 'c1' } };
    }
    if (req.data.cursor === 'c1') {
      return { statusCode: 200, data: { items: [order({ id: 41, status: 'published' })], next_cursor: null } };
    }
    return { statusCode: 200, data: { items: [], next_cursor: null } };
  });
  const page = await openQueue({ tab: 'published' });

  expect(statusesAsked()).toEqual(['published']);
  expect(textOf(page.querySelector('#queue-count'))).toBe('已显示 1 件');
  await tap(page.querySelector('#queue-more'));
  await waitFor(() => expect(page.querySelector('#order-41')).toBeTruthy());
  expect(mock.requestsTo('/orders')[1].data).toEqual({ status: 'published', limit: 20, cursor: 'c1' });
  expect(page.querySelector('#queue-more')).toBeFalsy();

  await tap(page.querySelector('#tab-claimed'));
  await waitFor(() => expect(page.querySelector('#queue-empty')).toBeTruthy());
});

test('a queue that cannot load says why, and 重试 loads it', async () => {
  mock.route('GET', '/orders', (req, nth) => (nth === 1
    ? { fail: 'request:fail timeout' }
    : { statusCode: 200, data: { items: [order()], next_cursor: null } }));
  const page = await openQueue();

  expect(textOf(page)).toContain('网络不稳定，请检查网络后重试');
  await tap(page.querySelector('#queue-state').querySelector('.state-retry'));
  await waitFor(() => expect(page.querySelector('#order-21')).toBeTruthy());
});
