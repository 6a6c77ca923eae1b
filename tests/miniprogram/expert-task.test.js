const { textOf } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, openPage, tap } = require('./helpers/page');

const TASK = 'pages/expert/task/index';
const THIS_YEAR = new Date().getFullYear();

function order(overrides = {}) {
  return Object.assign({
    id: 7,
    status: 'scheduled',
    items: [{ code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', category: '种植技术' }],
    description: '苹果树叶子发黄卷曲',
    region_name: '民乐村',
    window_start: `${THIS_YEAR}-12-03`,
    window_end: `${THIS_YEAR}-12-08`,
    contact_name: '赵大山',
    contact_phone: '13800000201',
    address: '五常市民乐乡民乐村三组',
    latitude: 45.03,
    longitude: 127.09,
    photo_ids: [],
    agreed_visit_at: `${THIS_YEAR}-12-04T01:00:00+00:00`,
    actions: [],
  }, overrides);
}

let mock;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo', 'openLocation', 'makePhoneCall');
});

test('an accepted task shows the problem, 导航 to the place and 拨打 the requester', async () => {
  mock.route('GET', '/orders/7', { statusCode: 200, data: order() });
  mock.route('GET', '/visits', { statusCode: 200, data: { items: [] } });
  const page = await openPage(TASK, { id: '7' });

  expect(textOf(page.querySelector('#task-description'))).toBe('苹果树叶子发黄卷曲');
  expect(textOf(page.querySelector('#task-agreed'))).toBe('约定上门：12月4日 09:00');
  expect(textOf(page.querySelector('#task-phone'))).toBe('赵大山 13800000201');

  await tap(page, '#navigate');
  expect(wx.openLocation).toHaveBeenCalledWith(expect.objectContaining({ latitude: 45.03, longitude: 127.09, address: '五常市民乐乡民乐村三组' }));
  await tap(page, '#call');
  expect(wx.makePhoneCall).toHaveBeenCalledWith(expect.objectContaining({ phoneNumber: '13800000201' }));
  await tap(page, '#action-scan');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expert/scan/index?order=7' });
});

test('before accepting, the phone is masked, there is no 拨打 or 导航, and the buttons follow actions', async () => {
  mock.route('GET', '/orders/7', {
    statusCode: 200,
    data: order({ status: 'dispatched', contact_phone: '138****0201', latitude: null, longitude: null, actions: ['expert_accept', 'decline'] }),
  });
  mock.route('GET', '/visits', { statusCode: 200, data: { items: [] } });
  const page = await openPage(TASK, { id: '7' });

  expect(page.querySelector('#call')).toBeFalsy();
  expect(page.querySelector('#navigate')).toBeFalsy();
  expect(textOf(page.querySelector('#phone-hint'))).toBe('接单后可以看到完整电话');
  expect(page.querySelector('#action-accept')).toBeTruthy();
  expect(page.querySelector('#action-decline')).toBeTruthy();
  expect(page.querySelector('#action-scan')).toBeFalsy();
});

test('the visits so far are listed with their flags, an open one offers 签退', async () => {
  mock.route('GET', '/orders/7', { statusCode: 200, data: order({ status: 'in_service' }) });
  mock.route('GET', '/visits', {
    statusCode: 200,
    data: {
      items: [
        { id: 32, order_id: 7, status: 'open', source: 'scan', check_in_at: `${THIS_YEAR}-12-05T01:00:00+00:00`, check_out_at: null, duration_minutes: null, flags: [], flag_labels: [] },
        { id: 31, order_id: 7, status: 'flagged', source: 'scan', check_in_at: `${THIS_YEAR}-12-04T01:00:00+00:00`, check_out_at: `${THIS_YEAR}-12-04T01:10:00+00:00`, duration_minutes: 10, flags: ['too_short'], flag_labels: ['服务时间过短'] },
        { id: 29, order_id: 8, status: 'completed', source: 'scan', check_in_at: `${THIS_YEAR}-12-01T01:00:00+00:00`, check_out_at: `${THIS_YEAR}-12-01T05:00:00+00:00`, duration_minutes: 240, flags: [], flag_labels: [] },
      ],
    },
  });
  const page = await openPage(TASK, { id: '7' });

  expect(textOf(page.querySelector('#visit-31'))).toContain('服务时间过短');
  expect(textOf(page.querySelector('#visit-31'))).toContain('待核实');
  expect(page.querySelector('#visit-29')).toBeFalsy();
  await tap(page, '#action-check-out');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expert/scan/index?order=7&visit=32' });
  await tap(page, '#log-31');
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/expert/log/index?visit=31' });
});
