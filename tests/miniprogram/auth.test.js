const path = require('path');
const { apiError, installWx, session } = require('./helpers/wx-mock');

const MINIPROGRAM = path.join(__dirname, '..', '..', 'miniprogram');

let mock;
let auth;

beforeEach(() => {
  jest.resetModules();
  mock = installWx();
  auth = require(path.join(MINIPROGRAM, 'services', 'auth'));
});

test('silentLogin sends the wx.login code and keeps the tokens and user on the phone', async () => {
  mock.route('POST', '/auth/wechat-login', {
    statusCode: 200,
    data: session({ access: 'a1', refresh: 'r1', roles: ['requester', 'expert'], activeRole: 'expert', nickname: '王工' }),
  });

  const user = await auth.silentLogin();

  expect(mock.requests.map((req) => [req.method, req.path, req.data]))
    .toEqual([['POST', '/auth/wechat-login', { code: 'code-1' }]]);
  expect(user).toEqual({
    id: 42,
    nickname: '王工',
    phoneMasked: '138****0000',
    activeRole: 'expert',
    activeRoleLabel: '专家',
    roles: [{ value: 'requester', label: '需求方' }, { value: 'expert', label: '专家' }],
  });
  expect(mock.store.get('auth.accessToken')).toBe('a1');
  expect(mock.store.get('auth.refreshToken')).toBe('r1');
  expect(auth.currentUser()).toEqual(user);
});

test('silentLogin reports a refused wx.login in Chinese without calling the backend', async () => {
  mock.failNextLogin();

  await expect(auth.silentLogin()).rejects.toMatchObject({
    code: 'wechat_login_failed',
    message: '微信登录没有成功，请稍后重试',
  });
  expect(mock.requests).toHaveLength(0);
});

test('refresh without a stored refresh token fails without a request', async () => {
  await expect(auth.refresh()).rejects.toMatchObject({ code: 'not_logged_in', status: 401 });
  expect(mock.requests).toHaveLength(0);
});

test('switchRole posts the role with the current token and keeps the new tokens', async () => {
  mock = installWx({ storage: { 'auth.accessToken': 'a-req', 'auth.refreshToken': 'r-req' } });
  mock.route('POST', '/auth/switch-role', {
    statusCode: 200,
    data: session({ access: 'a-admin', refresh: 'r-admin', roles: ['requester', 'local_admin'], activeRole: 'local_admin' }),
  });
  mock.route('GET', '/me', { statusCode: 200, data: session().user });

  const user = await auth.switchRole('local_admin');
  await auth.fetchMe();

  const [switchRequest, meRequest] = mock.requests;
  expect(switchRequest.data).toEqual({ role: 'local_admin' });
  expect(switchRequest.header.Authorization).toBe('Bearer a-req');
  expect(user.activeRoleLabel).toBe('属地管理员');
  expect(meRequest.header.Authorization).toBe('Bearer a-admin');
});

test('bindPhone posts the getPhoneNumber code and stores the updated user', async () => {
  mock = installWx({ storage: { 'auth.accessToken': 'a1', 'auth.user': session().user } });
  mock.route('POST', '/auth/phone', {
    statusCode: 200,
    data: Object.assign({}, session().user, { phone_masked: '139****8888' }),
  });

  const user = await auth.bindPhone('phone-code');

  expect(mock.requests[0].data).toEqual({ code: 'phone-code' });
  expect(user.phoneMasked).toBe('139****8888');
  expect(auth.currentUser().phoneMasked).toBe('139****8888');
});

test('logout revokes the refresh token and forgets the session', async () => {
  mock = installWx({ storage: { 'auth.accessToken': 'a1', 'auth.refreshToken': 'r1', 'auth.user': session().user } });
  mock.route('POST', '/auth/logout', { statusCode: 204, data: '' });

  await auth.logout();

  expect(mock.requests.map((req) => [req.path, req.data])).toEqual([['/auth/logout', { refresh_token: 'r1' }]]);
  expect(mock.store.size).toBe(0);
  expect(auth.currentUser()).toBeNull();
});

test('logout forgets the session on the phone even when the server cannot be reached', async () => {
  mock = installWx({ storage: { 'auth.accessToken': 'a1', 'auth.refreshToken': 'r1' } });
  mock.route('POST', '/auth/logout', { fail: 'request:fail ' });

  await expect(auth.logout()).resolves.toBeUndefined();
  expect(mock.store.size).toBe(0);
});

test('a backend refusal of the login code comes back in Chinese', async () => {
  mock.route('POST', '/auth/wechat-login', {
    statusCode: 400,
    data: apiError('wechat_code_invalid', 'invalid code'),
  });

  await expect(auth.silentLogin()).rejects.toMatchObject({
    code: 'wechat_code_invalid',
    message: '提交的信息有误，请检查后重试',
    status: 400,
  });
});
