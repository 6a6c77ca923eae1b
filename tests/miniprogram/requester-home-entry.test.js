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

test('a requester sees one big button on the home page that opens the 点餐 menu', async () => {
  mock.route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ roles: ['requester'] }) });
  launchApp();
  const page = renderPage(simulate, 'pages/home/index');
  await waitFor(() => expect(textOf(page)).toContain('当前身份：需求方'));

  const entry = page.querySelector('#open-requester-menu');
  expect(entry.dom.textContent).toBe('我要请专家（点餐下单）');
  entry.dispatchEvent('tap');
  await simulate.sleep(0);

  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/requester/menu/index' });
});

test('an expert does not see the requester\'s button', async () => {
  mock.route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ roles: ['expert'] }) });
  launchApp();
  const page = renderPage(simulate, 'pages/home/index');
  await waitFor(() => expect(textOf(page)).toContain('当前身份：专家'));

  expect(page.querySelector('#open-requester-menu')).toBeFalsy();
});

test('app.json loads the requester pages as a subpackage, preloaded from home, each page complete', () => {
  const fs = require('fs');
  const path = require('path');
  const { MINIPROGRAM_ROOT } = require('./helpers/miniprogram');
  const app = JSON.parse(fs.readFileSync(path.join(MINIPROGRAM_ROOT, 'app.json'), 'utf8'));

  const requester = app.subPackages.find((pkg) => pkg.root === 'pages/requester');
  expect(requester.name).toBe('requester');
  expect(requester.pages).toEqual(['menu/index', 'order-form/index', 'orders/index', 'order-detail/index', 'checkin-code/index']);
  expect(app.preloadRule['pages/home/index'].packages).toEqual(['requester']);
  for (const page of requester.pages) {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) {
      expect(fs.existsSync(path.join(MINIPROGRAM_ROOT, requester.root, `${page}.${ext}`))).toBe(true);
    }
  }
});
