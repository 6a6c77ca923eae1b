const fs = require('fs');
const path = require('path');
const simulate = require('miniprogram-simulate');
const { installWx, session } = require('./helpers/wx-mock');
const { MINIPROGRAM_ROOT, launchApp, renderPage, textOf, waitFor } = require('./helpers/miniprogram');
const { mockWx } = require('./helpers/page');

let mock;

beforeEach(() => {
  jest.resetModules();
  mock = installWx();
  mockWx('navigateTo');
  global.wx.getNetworkType = (options) => options.success({ networkType: 'none' });
  mockWx('onNetworkStatusChange');
});

test('an expert sees four big buttons: 我的任务, 扫码签到, 揭榜, 我的时长', async () => {
  mock.route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ roles: ['expert'] }) });
  launchApp();
  const page = renderPage(simulate, 'pages/home/index');
  await waitFor(() => expect(textOf(page)).toContain('当前身份：专家'));

  const targets = {
    '#open-expert-tasks': ['我的任务', '/pages/expert/tasks/index'],
    '#open-expert-scan': ['扫码签到', '/pages/expert/scan/index'],
    '#open-expert-board': ['揭榜', '/pages/expert/board/index'],
    '#open-expert-hours': ['我的时长', '/pages/expert/hours/index'],
  };
  for (const [selector, [label, url]] of Object.entries(targets)) {
    const button = page.querySelector(selector);
    expect(button.dom.textContent).toBe(label);
    button.dispatchEvent('tap');
    await simulate.sleep(0);
    expect(wx.navigateTo).toHaveBeenLastCalledWith({ url });
  }
  expect(page.querySelector('#offline-pending')).toBeFalsy();
});

test('the home page shows how many offline scans wait for upload', async () => {
  mock.store.set('expert.offlineQueue', [{
    id: 'OFF1.7.29412345.04718263', kind: 'check_in', code: 'OFF1.7.29412345.04718263', orderId: 7,
    visitId: null, location: null, scannedAt: '2025-12-03T09:30:00+08:00',
  }]);
  mock.route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ roles: ['expert'] }) });
  launchApp();
  const page = renderPage(simulate, 'pages/home/index');

  await waitFor(() => expect(textOf(page.querySelector('#offline-pending'))).toBe('1 条离线签到待上传'));
});

test('a requester does not see the expert\'s buttons', async () => {
  mock.route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ roles: ['requester'] }) });
  launchApp();
  const page = renderPage(simulate, 'pages/home/index');
  await waitFor(() => expect(textOf(page)).toContain('当前身份：需求方'));

  expect(page.querySelector('#expert-entry')).toBeFalsy();
});

test('app.json loads the expert pages as a subpackage, each page complete, location declared', () => {
  const app = JSON.parse(fs.readFileSync(path.join(MINIPROGRAM_ROOT, 'app.json'), 'utf8'));
  const expertPackage = app.subPackages.find((pkg) => pkg.root === 'pages/expert');

  expect(expertPackage.name).toBe('expert');
  expect(expertPackage.pages).toEqual(['tasks/index', 'task/index', 'board/index', 'scan/index', 'log/index', 'hours/index']);
  for (const page of expertPackage.pages) {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) {
      expect(fs.existsSync(path.join(MINIPROGRAM_ROOT, expertPackage.root, `${page}.${ext}`))).toBe(true);
    }
  }
  expect(app.requiredPrivateInfos).toContain('getLocation');
  expect(app.permission['scope.userLocation'].desc).toBeTruthy();
});
