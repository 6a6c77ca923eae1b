const simulate = require('miniprogram-simulate');
const { installWx, session } = require('./helpers/wx-mock');
const { launchApp, renderPage, textOf, waitFor } = require('./helpers/miniprogram');
const { mockWx } = require('./helpers/page');

let mock;

beforeEach(() => {
  jest.resetModules();
  mock = installWx();
  mockWx('navigateTo');
});

test.each(['local_admin', 'province_admin'])('a %s sees big buttons for each part of the admin work', async (role) => {
  mock.route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ roles: [role] }) });
  launchApp();
  const page = renderPage(simulate, 'pages/home/index');
  await waitFor(() => expect(page.querySelector('#admin-entry')).toBeTruthy());

  const targets = {
    '#open-admin-queue': '/pages/admin/queue/index',
    '#open-admin-flagged': '/pages/admin/flagged/index',
    '#open-admin-follow-ups': '/pages/admin/follow-ups/index',
    '#open-admin-experts': '/pages/admin/experts/index',
    '#open-admin-figures': '/pages/admin/figures/index',
  };
  for (const [selector, url] of Object.entries(targets)) {
    page.querySelector(selector).dispatchEvent('tap');
    await simulate.sleep(0);
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url });
  }
  expect(textOf(page.querySelector('#admin-entry'))).toContain('待核实服务记录');
  expect(page.querySelector('#expert-entry')).toBeFalsy();
  expect(page.querySelector('#requester-entry')).toBeFalsy();
});

test('a requester does not see the admin\'s buttons', async () => {
  mock.route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ roles: ['requester'] }) });
  launchApp();
  const page = renderPage(simulate, 'pages/home/index');
  await waitFor(() => expect(textOf(page)).toContain('当前身份：需求方'));

  expect(page.querySelector('#admin-entry')).toBeFalsy();
});

test('app.json loads the admin pages as one subpackage', () => {
  const app = require('../../miniprogram/app.json');
  const admin = app.subPackages.find((pkg) => pkg.root === 'pages/admin');
  expect(admin).toMatchObject({ name: 'admin' });
  expect(admin.pages).toEqual([
    'queue/index', 'order/index', 'dispatch/index', 'flagged/index', 'follow-ups/index', 'experts/index', 'figures/index',
  ]);
});
