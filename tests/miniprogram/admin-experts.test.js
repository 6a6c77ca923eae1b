const { textOf, waitFor } = require('./helpers/miniprogram');
const { confirmModals, installLoggedInWx, openPage, tap } = require('./helpers/page');

const EXPERTS = 'pages/admin/experts/index';

function expert(overrides = {}) {
  return Object.assign({
    id: 12,
    user_id: 40,
    name: '赵文博',
    gender: 'male',
    title: '高级兽医师',
    title_level: 'associate_senior',
    title_level_label: '副高级',
    field: 'animal',
    field_name: '畜牧兽医',
    specialties: ['生猪疫病防控', '牛羊常见病'],
    employer: '方正县畜牧兽医服务中心',
    region_code: '230124000000',
    region_name: '方正县',
    service_radius_km: 50,
    honours: ['享受政府特殊津贴'],
    retired: true,
    available: true,
    status: 'pending',
    status_label: '待审核',
    phone_masked: '138****0301',
    created_at: '2030-12-01T02:00:00+00:00',
  }, overrides);
}

let mock;
let modals;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  modals = confirmModals();
});

test('pending experts are listed with what the admin checks', async () => {
  mock.route('GET', '/experts', { statusCode: 200, data: { items: [expert()], next_cursor: null } });
  const page = await openPage(EXPERTS);

  expect(mock.requestsTo('/experts')[0].data).toEqual({ status: 'pending', limit: 20 });
  const card = textOf(page.querySelector('#expert-12'));
  ['赵文博', '高级兽医师（副高级）', '方正县畜牧兽医服务中心', '畜牧兽医', '生猪疫病防控、牛羊常见病', '享受政府特殊津贴', '退休', '138****0301']
    .forEach((text) => expect(card).toContain(text));
});

test('通过 asks first, then posts to verify and removes the expert from the list', async () => {
  mock.route('GET', '/experts', { statusCode: 200, data: { items: [expert()], next_cursor: null } });
  mock.route('POST', '/experts/12/verify', { statusCode: 200, data: expert({ status: 'verified' }) });
  const page = await openPage(EXPERTS);

  await tap(page.querySelector('#verify-12'));
  await waitFor(() => expect(page.querySelector('#experts-empty')).toBeTruthy());
  expect(modals[0].content).toContain('赵文博');
  expect(mock.requestsTo('/experts/12/verify')[0].data).toEqual({});
});

test('不通过 requires a reason and sends it', async () => {
  mock.route('GET', '/experts', { statusCode: 200, data: { items: [expert()], next_cursor: null } });
  mock.route('POST', '/experts/12/reject', { statusCode: 200, data: expert({ status: 'rejected' }) });
  const page = await openPage(EXPERTS);

  await tap(page.querySelector('#reject-12'));
  const sheet = page.querySelector('#reject-sheet');
  await tap(sheet.querySelector('#reason-confirm'));
  expect(sheet.querySelector('#reason-error')).toBeTruthy();
  expect(mock.requestsTo('/experts/12/reject')).toHaveLength(0);

  await tap(sheet.querySelector('#preset-0'));
  await tap(sheet.querySelector('#reason-confirm'));
  await waitFor(() => expect(page.querySelector('#expert-12')).toBeFalsy());
  expect(mock.requestsTo('/experts/12/reject')[0].data).toEqual({ reason: '职称证明与填写的职称不符' });
});
