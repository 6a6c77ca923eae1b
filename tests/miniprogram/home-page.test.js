const simulate = require('miniprogram-simulate');
const { apiError, deferred, installWx, session } = require('./helpers/wx-mock');
const { launchApp, renderPage, textOf, waitFor } = require('./helpers/miniprogram');
const { tap } = require('./helpers/page');

const HOME = 'pages/home/index';

let mock;

beforeEach(() => {
  jest.resetModules();
  mock = installWx();
});

test('the home page says 正在登录… while logging in, then greets the user with their role', async () => {
  const login = deferred();
  mock.route('POST', '/auth/wechat-login', () => login.promise);

  launchApp();
  const page = renderPage(simulate, HOME);

  expect(textOf(page)).toContain('正在登录…');
  expect(textOf(page)).not.toContain('您好');

  login.resolve({ statusCode: 200, data: session({ nickname: '李大爷', roles: ['requester'] }) });

  await waitFor(() => expect(textOf(page)).toContain('您好，李大爷'));
  expect(textOf(page)).not.toContain('正在登录…');
  expect(page.querySelector('#active-role').dom.textContent).toBe('需求方');
  expect(mock.requestsTo('/auth/wechat-login').map((req) => req.data)).toEqual([{ code: 'code-1' }]);
});

test('a user with a single role sees no role picker', async () => {
  mock.route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ roles: ['requester'] }) });

  launchApp();
  const page = renderPage(simulate, HOME);

  await waitFor(() => expect(textOf(page)).toContain('当前身份：需求方'));
  // No nickname from WeChat any more for most users: a plain greeting.
  expect(page.querySelector('#greeting-text').dom.textContent).toBe('您好');
  expect(page.querySelector('#role-picker')).toBeFalsy();
  expect(textOf(page)).not.toContain('切换身份');
});

test('a failed login shows the reason in Chinese with 重试, and 重试 logs in and greets', async () => {
  mock.route('POST', '/auth/wechat-login', (req, nthCall) => (nthCall === 1
    ? { fail: 'request:fail timeout' }
    : { statusCode: 200, data: session({ roles: ['expert'] }) }));

  launchApp();
  const page = renderPage(simulate, HOME);

  await waitFor(() => expect(textOf(page)).toContain('登录没有成功'));
  expect(page.querySelector('#login-error-message').dom.textContent).toBe('网络不稳定，请检查网络后重试');
  expect(page.querySelector('#retry-login').dom.textContent).toBe('重试');

  tap(page, '#retry-login');

  await waitFor(() => expect(textOf(page)).toContain('当前身份：专家'));
  expect(textOf(page)).not.toContain('登录没有成功');
  expect(page.querySelector('#retry-login')).toBeFalsy();
  expect(mock.requestsTo('/auth/wechat-login').map((req) => req.data)).toEqual([
    { code: 'code-1' },
    { code: 'code-2' },
  ]);
});

test('a refused wx.login also ends in the error state, not an unhandled rejection', async () => {
  mock.failNextLogin();

  const app = launchApp();
  const page = renderPage(simulate, HOME);

  await waitFor(() => expect(page.querySelector('#login-error-message').dom.textContent)
    .toBe('微信登录没有成功，请稍后重试'));
  const outcome = await app.globalData.loginReady;
  expect(outcome.user).toBeNull();
  expect(outcome.error).toMatchObject({ code: 'wechat_login_failed' });
  expect(mock.requestsTo('/auth/wechat-login')).toHaveLength(0);
});

test('a user with several roles picks another role and the page switches to it', async () => {
  mock
    .route('POST', '/auth/wechat-login', {
      statusCode: 200,
      data: session({ access: 'access-requester', roles: ['requester', 'expert'], activeRole: 'requester' }),
    })
    .route('POST', '/auth/switch-role', {
      statusCode: 200,
      data: session({ access: 'access-expert', roles: ['requester', 'expert'], activeRole: 'expert' }),
    });

  launchApp();
  const page = renderPage(simulate, HOME);

  await waitFor(() => expect(textOf(page)).toContain('切换身份'));
  expect(page.querySelector('#role-requester').dom.textContent).toBe('需求方（当前）');
  expect(page.querySelector('#role-expert').dom.textContent).toBe('专家');

  tap(page, '#role-expert');

  await waitFor(() => expect(page.querySelector('#active-role').dom.textContent).toBe('专家'));
  expect(page.querySelector('#role-expert').dom.textContent).toBe('专家（当前）');
  const [switchRequest] = mock.requestsTo('/auth/switch-role');
  expect(switchRequest.data).toEqual({ role: 'expert' });
  expect(switchRequest.header.Authorization).toBe('Bearer access-requester');
  expect(mock.requestsTo('/auth/switch-role')).toHaveLength(1);
  expect(mock.toasts.map((toast) => toast.title)).toEqual(['已切换为专家']);
  expect(mock.store.get('auth.accessToken')).toBe('access-expert');
});

test('tapping the current role sends nothing', async () => {
  mock.route('POST', '/auth/wechat-login', {
    statusCode: 200,
    data: session({ roles: ['requester', 'local_admin'], activeRole: 'local_admin' }),
  });

  launchApp();
  const page = renderPage(simulate, HOME);
  await waitFor(() => expect(textOf(page)).toContain('当前身份：属地管理员'));

  tap(page, '#role-local_admin');
  await simulate.sleep(20);

  expect(mock.requestsTo('/auth/switch-role')).toHaveLength(0);
});

test('a refused role switch says why in Chinese and keeps the current role', async () => {
  mock
    .route('POST', '/auth/wechat-login', {
      statusCode: 200,
      data: session({ roles: ['requester', 'province_admin'], activeRole: 'requester' }),
    })
    .route('POST', '/auth/switch-role', {
      statusCode: 403,
      data: apiError('role_not_granted', '您还没有省厅管理员身份，请联系管理员开通'),
    });

  launchApp();
  const page = renderPage(simulate, HOME);
  await waitFor(() => expect(textOf(page)).toContain('省厅管理员'));

  tap(page, '#role-province_admin');

  await waitFor(() => expect(mock.toasts.map((toast) => toast.title))
    .toEqual(['您还没有省厅管理员身份，请联系管理员开通']));
  expect(page.querySelector('#active-role').dom.textContent).toBe('需求方');
  expect(page.querySelector('#role-requester').dom.textContent).toBe('需求方（当前）');
});
