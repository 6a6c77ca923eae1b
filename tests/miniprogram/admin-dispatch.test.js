const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { textOf, waitFor } = require('./helpers/miniprogram');
const { confirmModals, installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const DISPATCH = 'pages/admin/dispatch/index';

function order(overrides = {}) {
  return Object.assign({
    id: 21,
    status: 'accepted',
    items: [{ code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', category: '种植技术' }],
    description: '苹果树叶子发黄卷曲，部分果子有黑斑',
    region_name: '兴隆村',
    window_start: '2030-12-03',
    window_end: '2030-12-08',
    contact_phone: '13800000202',
    submitted_at: '2030-11-30T01:00:00+00:00',
    actions: ['dispatch', 'publish'],
    timeline: [],
  }, overrides);
}

function expert(overrides = {}) {
  return Object.assign({
    expert_id: 5,
    name: '王建国',
    title: '研究员',
    title_level: 'senior',
    title_level_label: '正高级',
    field: 'planting',
    field_label: '种植技术',
    employer: '黑龙江省农业科学院',
    specialties: ['果树病虫害防治'],
    distance_km: 12.34,
    service_radius_km: 100,
    score: 78.46,
    preferred: false,
    reasons: [
      { text: '领域对口', points: 30, label: '领域对口 +30' },
      { text: '专长与需求描述吻合：果树病虫害防治', points: 25, label: '专长与需求描述吻合：果树病虫害防治 +25' },
      { text: '在办任务 2 件', points: -6, label: '在办任务 2 件 −6' },
    ],
  }, overrides);
}

function recommendations(overrides = {}) {
  return Object.assign({
    order_id: 21,
    needs_team: false,
    experts: [expert(), expert({
      expert_id: 9, name: '李秀英', title: '高级农艺师', title_level: 'associate_senior', title_level_label: '副高级',
      employer: '方正县农业技术推广中心', distance_km: 0.6, score: 61,
      reasons: [{ text: '领域对口', points: 30, label: '领域对口 +30' }, { text: '距离很近', points: 19.7, label: '距离很近 +19.7' }],
    })],
    teams: [],
    considered: 14,
    eligible: 6,
  }, overrides);
}

let mock;
let modals;
let modalAnswer;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo', 'navigateBack', 'redirectTo');
  global.getCurrentPages = () => [{}, {}];
  modalAnswer = { confirm: true, cancel: false, content: '' };
  modals = confirmModals(() => modalAnswer);
});

afterEach(() => {
  delete global.getCurrentPages;
});

test('the dispatch screen ranks the experts with their title, employer, distance, score and reasons', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  mock.route('GET', '/orders/21/recommendations', { statusCode: 200, data: recommendations() });
  const page = await openPage(DISPATCH, { id: '21' }, { settleMs: 5 });

  await waitFor(() => expect(page.querySelector('#expert-5')).toBeTruthy());
  const first = textOf(page.querySelector('#expert-5'));
  expect(first).toContain('1');
  expect(first).toContain('王建国');
  expect(first).toContain('研究员（正高级）');
  expect(first).toContain('黑龙江省农业科学院');
  expect(first).toContain('距离 12.3 公里');
  expect(first).toContain('78.5');
  const chips = Array.from(page.querySelector('#reasons-5').dom.children);
  expect(chips.map((chip) => chip.textContent)).toEqual([
    '领域对口 +30', '专长与需求描述吻合：果树病虫害防治 +25', '在办任务 2 件 −6',
  ]);
  expect(chips[2].className).toContain('chip-bad');
  expect(chips[0].className).not.toContain('chip-bad');
  expect(textOf(page.querySelector('#expert-9'))).toContain('距离 600 米');
  expect(page.querySelector('#dispatch-expert-5').dom.textContent).toBe('派给他/她');
  expect(textOf(page.querySelector('#publish-alternative'))).toContain('发布揭榜');
  expect(page.querySelector('#teams')).toBeFalsy();
});

test('派给他/她 asks for confirmation and sends {expert_id}; the note typed in the dialog goes along', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  mock.route('GET', '/orders/21/recommendations', { statusCode: 200, data: recommendations() });
  mock.route('POST', '/orders/21/dispatch', { statusCode: 200, data: order({ status: 'dispatched', actions: ['recall'] }) });
  const page = await openPage(DISPATCH, { id: '21' }, { settleMs: 5 });
  await waitFor(() => expect(page.querySelector('#dispatch-expert-9')).toBeTruthy());

  await tap(page.querySelector('#dispatch-expert-9'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/dispatch')).toHaveLength(1));
  expect(modals[0].content).toContain('李秀英');
  expect(mock.requestsTo('/orders/21/dispatch')[0].data).toEqual({ expert_id: 9 });
  await waitFor(() => expect(wx.navigateBack).toHaveBeenCalledWith({ delta: 1 }));
  expect(mock.toasts.map((t) => t.title)).toContain('已派单');

  modalAnswer = { confirm: true, cancel: false, content: '  请本周内联系需求方  ' };
  await tap(page.querySelector('#dispatch-expert-5'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/dispatch')).toHaveLength(2));
  expect(mock.requestsTo('/orders/21/dispatch')[1].data).toEqual({ expert_id: 5, note: '请本周内联系需求方' });
});

test('cancelling the confirmation sends nothing', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  mock.route('GET', '/orders/21/recommendations', { statusCode: 200, data: recommendations() });
  modalAnswer = { confirm: false, cancel: true };
  const page = await openPage(DISPATCH, { id: '21' }, { settleMs: 5 });
  await waitFor(() => expect(page.querySelector('#dispatch-expert-5')).toBeTruthy());

  await tap(page.querySelector('#dispatch-expert-5'));
  await simulate.sleep(10);
  expect(mock.requestsTo('/orders/21/dispatch')).toHaveLength(0);
});

test('an order needing several experts shows the teams; 派给这个服务团 sends {team_id}', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  mock.route('GET', '/orders/21/recommendations', {
    statusCode: 200,
    data: recommendations({
      needs_team: true,
      teams: [{
        team_id: 3, name: '方正县果蔬专家服务团', leader_id: 5, score: 81.2,
        reasons: [{ text: '覆盖全部领域', points: 30, label: '覆盖全部领域 +30' }],
        members: [expert(), expert({ expert_id: 9, name: '李秀英' })],
      }],
    }),
  });
  mock.route('POST', '/orders/21/dispatch', { statusCode: 200, data: order({ status: 'dispatched', actions: [] }) });
  const page = await openPage(DISPATCH, { id: '21' }, { settleMs: 5 });
  await waitFor(() => expect(page.querySelector('#team-3')).toBeTruthy());

  expect(textOf(page.querySelector('#team-3'))).toContain('方正县果蔬专家服务团');
  expect(textOf(page.querySelector('#team-3'))).toContain('王建国、李秀英');
  expect(textOf(page.querySelector('#team-3'))).toContain('覆盖全部领域 +30');
  await tap(page.querySelector('#dispatch-team-3'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/dispatch')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/dispatch')[0].data).toEqual({ team_id: 3 });
});

test('发布揭榜 is the alternative: it posts to publish from the dispatch screen', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  mock.route('GET', '/orders/21/recommendations', { statusCode: 200, data: recommendations({ experts: [] }) });
  mock.route('POST', '/orders/21/publish', { statusCode: 200, data: order({ status: 'published', actions: ['recall'] }) });
  const page = await openPage(DISPATCH, { id: '21' }, { settleMs: 5 });
  await waitFor(() => expect(page.querySelector('#no-experts')).toBeTruthy());

  await tap(page.querySelector('#open-publish'));
  await tap(page.querySelector('#publish-sheet').querySelector('#publish-confirm'));
  await waitFor(() => expect(mock.requestsTo('/orders/21/publish')).toHaveLength(1));
  expect(mock.requestsTo('/orders/21/publish')[0].data).toEqual({});
  await waitFor(() => expect(wx.navigateBack).toHaveBeenCalled());
});

test('an order dispatched meanwhile (409) is explained and the screen shows it can no longer be dispatched', async () => {
  mock.route('GET', '/orders/21', (req, nth) => ({
    statusCode: 200, data: nth === 1 ? order() : order({ status: 'dispatched', actions: ['recall'] }),
  }));
  mock.route('GET', '/orders/21/recommendations', { statusCode: 200, data: recommendations() });
  mock.route('POST', '/orders/21/dispatch', {
    statusCode: 409, data: apiError('invalid_transition', '该需求单已派给其他专家'),
  });
  const page = await openPage(DISPATCH, { id: '21' }, { settleMs: 5 });
  await waitFor(() => expect(page.querySelector('#dispatch-expert-5')).toBeTruthy());

  await tap(page.querySelector('#dispatch-expert-5'));
  await waitFor(() => expect(page.querySelector('#not-dispatchable')).toBeTruthy());
  expect(modals.map((m) => m.content)).toContain('该需求单已派给其他专家');
  expect(page.querySelector('#dispatch-expert-5')).toBeFalsy();
});

test('recommendations that cannot load say why and can be asked for again', async () => {
  mock.route('GET', '/orders/21', { statusCode: 200, data: order() });
  mock.route('GET', '/orders/21/recommendations', (req, nth) => (nth === 1
    ? { statusCode: 403, data: apiError('not_dispatcher', '您没有派单权限，不能查看推荐专家') }
    : { statusCode: 200, data: recommendations() }));
  const page = await openPage(DISPATCH, { id: '21' }, { settleMs: 5 });

  await waitFor(() => expect(textOf(page.querySelector('#recommendations-error'))).toContain('您没有派单权限'));
  await tap(page.querySelector('#retry-recommendations'));
  await waitFor(() => expect(page.querySelector('#expert-5')).toBeTruthy());
});
