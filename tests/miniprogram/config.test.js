const path = require('path');
const { installWx } = require('./helpers/wx-mock');

const CONFIG = path.join(__dirname, '..', '..', 'miniprogram', 'config', 'index');

beforeEach(() => {
  jest.resetModules();
});

test.each([
  ['develop', 'http://127.0.0.1:8000/api/v1'],
  ['trial', 'https://zjfw.example.gov.cn/api/v1'],
  ['release', 'https://zjfw.example.gov.cn/api/v1'],
])('the %s build talks to %s', (envVersion, baseUrl) => {
  installWx({ envVersion });
  expect(require(CONFIG).apiBaseUrl()).toBe(baseUrl);
});

test('an unknown environment falls back to the release URL, never localhost', () => {
  installWx({ envVersion: 'something-new' });
  expect(require(CONFIG).apiBaseUrl()).toBe('https://zjfw.example.gov.cn/api/v1');
});

test('a base library without getAccountInfoSync falls back to the release URL', () => {
  installWx();
  global.wx.getAccountInfoSync = () => {
    throw new Error('getAccountInfoSync:fail not supported');
  };
  expect(require(CONFIG).apiBaseUrl()).toBe('https://zjfw.example.gov.cn/api/v1');
});
