const { apiError } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const BOARD = 'pages/expert/board/index';
const HOUR = 60 * 60 * 1000;

function published(overrides = {}) {
  return Object.assign({
    id: 21,
    status: 'published',
    items: [{ code: 'cattle_disease', name: '牛病防治', category: '畜牧兽医' }],
    description: '养殖场十几头牛食欲不振',
    region_name: '红星村',
    window_start: '2025-12-03',
    window_end: '2025-12-20',
    contact_phone: '138****0201',
    claim_deadline: new Date(Date.now() + 2 * 24 * HOUR + 3 * HOUR + 10 * 60 * 1000).toISOString(),
    actions: ['claim'],
  }, overrides);
}

let mock;
let modals;
let answer;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo');
  modals = [];
  answer = true;
  global.wx.showModal = (options) => {
    modals.push(options);
    if (options.success) options.success({ confirm: answer, cancel: !answer });
  };
});

test('each card shows the problem, the village and the claim deadline counting down', async () => {
  mock.route('GET', '/board', {
    statusCode: 200,
    data: { items: [published(), published({ id: 22, claim_deadline: new Date(Date.now() + 25 * 60 * 1000).toISOString() })] },
  });
  const page = await openPage(BOARD, {}, { until: 'loaded' });

  const card = textOf(page.querySelector('#card-21'));
  expect(card).toContain('牛病防治');
  expect(card).toContain('红星村');
  expect(card).toContain('养殖场十几头牛食欲不振');
  expect(textOf(page.querySelector('#countdown-21'))).toBe('揭榜截止：还剩 2 天 3 小时');
  expect(textOf(page.querySelector('#countdown-22'))).toMatch(/^揭榜截止：还剩 2[45] 分钟$/);
  expect(page.querySelector('#countdown-22').dom.className).toContain('countdown-urgent');
  expect(page.querySelector('#claim-21').dom.textContent).toBe('揭榜');
  page.detach();
});

test('揭榜 asks first; 再想想 sends nothing', async () => {
  mock.route('GET', '/board', { statusCode: 200, data: { items: [published()] } });
  const page = await openPage(BOARD, {}, { until: 'loaded' });
  answer = false;

  await tap(page, '#claim-21');

  expect(modals[0].content).toContain('揭榜「牛病防治」（红星村）');
  expect(mock.requestsTo('/orders/21/claim')).toHaveLength(0);
  page.detach();
});

test('a confirmed 揭榜 is sent once and the board refreshes', async () => {
  mock.route('GET', '/board', (req, nth) => ({ statusCode: 200, data: { items: nth === 1 ? [published()] : [] } }));
  mock.route('POST', '/orders/21/claim', { statusCode: 200, data: published({ status: 'claimed', actions: [] }) });
  const page = await openPage(BOARD, {}, { until: 'loaded' });

  await tap(page, '#claim-21');

  await waitFor(() => expect(page.querySelector('#board-empty')).toBeTruthy());
  const claims = mock.requestsTo('/orders/21/claim');
  expect(claims).toHaveLength(1);
  expect(claims[0].header['Idempotency-Key']).toEqual(expect.any(String));
  expect(mock.toasts.map((t) => t.title)).toContain('揭榜成功，等待管理员确认');
  page.detach();
});

test('when another expert was faster (409) the board says 已被其他专家揭榜 and refreshes', async () => {
  mock.route('GET', '/board', (req, nth) => ({ statusCode: 200, data: { items: nth === 1 ? [published()] : [] } }));
  mock.route('POST', '/orders/21/claim', {
    statusCode: 409, data: apiError('invalid_transition', '该需求单当前为「已揭榜，待确认」，不能揭榜'),
  });
  const page = await openPage(BOARD, {}, { until: 'loaded' });

  await tap(page, '#claim-21');

  await waitFor(() => expect(page.querySelector('#board-empty')).toBeTruthy());
  expect(modals.map((m) => m.content)).toContain('已被其他专家揭榜');
  expect(mock.requestsTo('/board')).toHaveLength(2);
  page.detach();
});

test('a board that cannot load says why (an unverified expert is told in Chinese)', async () => {
  mock.route('GET', '/board', { statusCode: 403, data: apiError('expert_not_verified', '通过审核的专家才能查看揭榜榜单') });
  const page = await openPage(BOARD, {}, { until: 'loaded' });

  expect(textOf(page)).toContain('通过审核的专家才能查看揭榜榜单');
  page.detach();
});
