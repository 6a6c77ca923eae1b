const path = require('path');
const { apiError, installWx, session } = require('./helpers/wx-mock');

const SERVICES = path.join(__dirname, '..', '..', 'miniprogram', 'services');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let mock;
let api;

function loggedIn(extra = {}) {
  return Object.assign({
    'auth.accessToken': 'access-old',
    'auth.refreshToken': 'refresh-old',
  }, extra);
}

// Accepts only the token the test says is current; anything else is expired.
function protectedEndpoint(validToken, body = { ok: true }) {
  return (req) => (req.header.Authorization === `Bearer ${validToken}`
    ? { statusCode: 200, data: body }
    : { statusCode: 401, data: apiError('token_expired', '登录已过期') });
}

beforeEach(() => {
  jest.resetModules();
  mock = installWx({ storage: loggedIn() });
  api = require(path.join(SERVICES, 'request'));
});

describe('the request wrapper', () => {
  test('sends the stored access token as a Bearer header to the develop base URL', async () => {
    mock.route('GET', '/orders', { statusCode: 200, data: { items: [] } });

    await expect(api.get('/orders', { page: 1 })).resolves.toEqual({ items: [] });

    expect(mock.requests).toHaveLength(1);
    const [sent] = mock.requests;
    expect(sent.url).toBe('http://127.0.0.1:8000/api/v1/orders');
    expect(sent.method).toBe('GET');
    expect(sent.data).toEqual({ page: 1 });
    expect(sent.header.Authorization).toBe('Bearer access-old');
  });

  test('sends no Authorization header when nobody is logged in', async () => {
    mock = installWx();
    mock.route('GET', '/service-menu', { statusCode: 200, data: [] });

    await api.get('/service-menu');

    expect(mock.requests[0].header).not.toHaveProperty('Authorization');
  });

  test('resolves a 204 to null', async () => {
    mock.route('DELETE', '/orders/7/photos/1', { statusCode: 204, data: '' });

    await expect(api.del('/orders/7/photos/1')).resolves.toBeNull();
  });

  test('a 401 renews the session with the refresh token once, then retries once with the new token', async () => {
    mock
      .route('GET', '/orders', protectedEndpoint('access-new', { items: [1] }))
      .route('POST', '/auth/refresh', { statusCode: 200, data: session({ access: 'access-new', refresh: 'refresh-new' }) });

    await expect(api.get('/orders')).resolves.toEqual({ items: [1] });

    expect(mock.requests.map((req) => req.path)).toEqual(['/orders', '/auth/refresh', '/orders']);
    expect(mock.requests[1].data).toEqual({ refresh_token: 'refresh-old' });
    expect(mock.requests[1].header).not.toHaveProperty('Authorization');
    expect(mock.requests[2].header.Authorization).toBe('Bearer access-new');
    expect(mock.loginCalls).toBe(0);
    expect(mock.store.get('auth.accessToken')).toBe('access-new');
    expect(mock.store.get('auth.refreshToken')).toBe('refresh-new');
  });

  test('when the refresh token is refused, it logs in again with wx.login and retries once', async () => {
    mock
      .route('GET', '/orders', protectedEndpoint('access-new'))
      .route('POST', '/auth/refresh', { statusCode: 401, data: apiError('refresh_invalid', '请重新登录') })
      .route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ access: 'access-new' }) });

    await expect(api.get('/orders')).resolves.toEqual({ ok: true });

    expect(mock.requests.map((req) => req.path))
      .toEqual(['/orders', '/auth/refresh', '/auth/wechat-login', '/orders']);
    expect(mock.loginCalls).toBe(1);
    expect(mock.requests[2].data).toEqual({ code: 'code-1' });
    expect(mock.requests[3].header.Authorization).toBe('Bearer access-new');
  });

  test('a 401 on the retry is final: no second re-login, and the error is normalised', async () => {
    mock
      .route('GET', '/orders', { statusCode: 401, data: apiError('token_invalid', 'Token invalid') })
      .route('POST', '/auth/refresh', { statusCode: 200, data: session({ access: 'access-new' }) });

    await expect(api.get('/orders')).rejects.toMatchObject({
      code: 'token_invalid',
      status: 401,
      message: '登录已失效，请重新进入小程序',
    });

    expect(mock.requests.map((req) => req.path)).toEqual(['/orders', '/auth/refresh', '/orders']);
    expect(mock.loginCalls).toBe(0);
  });

  test('when re-login fails too, the caller gets that failure and the request is not retried', async () => {
    mock
      .route('GET', '/orders', protectedEndpoint('access-new'))
      .route('POST', '/auth/refresh', { statusCode: 401, data: apiError('refresh_invalid', '请重新登录') })
      .route('POST', '/auth/wechat-login', { fail: 'request:fail ' });

    await expect(api.get('/orders')).rejects.toMatchObject({
      code: 'network_error',
      message: '网络不稳定，请检查网络后重试',
    });

    expect(mock.requestsTo('/orders')).toHaveLength(1);
  });

  test('requests sent without auth get no token and no re-login on 401', async () => {
    mock.route('POST', '/auth/wechat-login', { statusCode: 401, data: apiError('code_invalid', '微信登录凭证无效') });

    await expect(api.post('/auth/wechat-login', { code: 'x' }, { auth: false }))
      .rejects.toMatchObject({ code: 'code_invalid', message: '微信登录凭证无效', status: 401 });

    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0].header).not.toHaveProperty('Authorization');
  });
});

describe('concurrent 401s', () => {
  test('two requests that both get 401 share one refresh and are each retried once', async () => {
    mock
      .route('GET', '/orders', protectedEndpoint('access-new', { items: [] }))
      .route('GET', '/me', protectedEndpoint('access-new', { id: 42 }))
      .route('POST', '/auth/refresh', { statusCode: 200, data: session({ access: 'access-new' }) });

    const results = await Promise.all([api.get('/orders'), api.get('/me')]);

    expect(results).toEqual([{ items: [] }, { id: 42 }]);
    expect(mock.requestsTo('/auth/refresh')).toHaveLength(1);
    expect(mock.requestsTo('/orders')).toHaveLength(2);
    expect(mock.requestsTo('/me')).toHaveLength(2);
    expect(mock.loginCalls).toBe(0);
  });

  test('three requests that get 401 with a dead refresh token cause one wx.login', async () => {
    mock
      .route('GET', '/orders', protectedEndpoint('access-new'))
      .route('GET', '/me', protectedEndpoint('access-new'))
      .route('GET', '/service-menu', protectedEndpoint('access-new'))
      .route('POST', '/auth/refresh', { statusCode: 401, data: apiError('refresh_invalid', '请重新登录') })
      .route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ access: 'access-new' }) });

    await Promise.all([api.get('/orders'), api.get('/me'), api.get('/service-menu')]);

    expect(mock.loginCalls).toBe(1);
    expect(mock.requestsTo('/auth/refresh')).toHaveLength(1);
    expect(mock.requestsTo('/auth/wechat-login')).toHaveLength(1);
  });

  test('a 401 that arrives after another request already renewed just retries with the new token', async () => {
    mock
      .route('GET', '/orders', protectedEndpoint('access-new'))
      .route('POST', '/auth/refresh', { statusCode: 200, data: session({ access: 'access-new' }) })
      // Slow endpoint: its 401 comes back after /orders has renewed the session.
      .route('GET', '/me', (req) => new Promise((resolve) => {
        setTimeout(() => resolve(protectedEndpoint('access-new')(req)), 30);
      }));

    await Promise.all([api.get('/orders'), api.get('/me')]);

    expect(mock.requestsTo('/auth/refresh')).toHaveLength(1);
    expect(mock.requestsTo('/me').map((req) => req.header.Authorization))
      .toEqual(['Bearer access-old', 'Bearer access-new']);
  });
  test('a request and a photo upload that get 401 together share one re-login', async () => {
    const uploads = [];
    global.wx.uploadFile = (options) => {
      uploads.push(options);
      setTimeout(() => {
        const answer = protectedEndpoint('access-new', { id: 'u-1', url: '/uploads/u-1.jpg' })(options);
        options.success({ statusCode: answer.statusCode, data: JSON.stringify(answer.data) });
      }, 0);
      return { onProgressUpdate() {} };
    };
    mock
      .route('GET', '/orders', protectedEndpoint('access-new', { items: [] }))
      .route('POST', '/auth/refresh', { statusCode: 401, data: apiError('refresh_invalid', '请重新登录') })
      .route('POST', '/auth/wechat-login', { statusCode: 200, data: session({ access: 'access-new' }) });
    const upload = require(path.join(SERVICES, 'upload'));

    const [orders, photo] = await Promise.all([api.get('/orders'), upload.uploadPhoto('wxfile://tmp/a.jpg')]);

    expect(orders).toEqual({ items: [] });
    expect(photo.id).toBe('u-1');
    expect(mock.requestsTo('/auth/refresh')).toHaveLength(1);
    expect(mock.requestsTo('/auth/wechat-login')).toHaveLength(1);
    expect(mock.loginCalls).toBe(1);
    expect(uploads.map((u) => u.header.Authorization)).toEqual(['Bearer access-old', 'Bearer access-new']);
    expect(mock.requestsTo('/orders').map((req) => req.header.Authorization))
      .toEqual(['Bearer access-old', 'Bearer access-new']);
  });
});

describe('errors', () => {
  test('a backend error keeps its code, Chinese message and fields', async () => {
    mock.route('POST', '/orders', {
      statusCode: 422,
      data: apiError('validation_failed', '请填写问题描述', { description: '不能为空' }),
    });

    const error = await api.post('/orders', {}).catch((err) => err);

    expect(error).toBeInstanceOf(api.ApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'validation_failed',
      message: '请填写问题描述',
      fields: { description: '不能为空' },
      status: 422,
    });
  });

  test.each([
    [500, '<html>Internal Server Error</html>', 'http_500', '服务暂时不可用，请稍后重试'],
    [502, '', 'http_502', '服务暂时不可用，请稍后重试'],
    [403, apiError('forbidden', 'Forbidden'), 'forbidden', '您没有权限进行此操作'],
    [404, { detail: 'Not Found' }, 'http_404', '要找的内容不存在或已被删除'],
    [429, apiError('rate_limited', 'Too many requests'), 'rate_limited', '操作太频繁，请稍后再试'],
    [418, null, 'http_418', '请求没有成功，请稍后重试'],
  ])('a %i without a Chinese message becomes a Chinese one', async (status, body, code, message) => {
    mock.route('GET', '/orders', { statusCode: status, data: body });

    await expect(api.get('/orders')).rejects.toMatchObject({ code, message, status, fields: {} });
  });

  test.each([
    ['request:fail '],
    ['request:fail timeout'],
    ['request:fail net::ERR_INTERNET_DISCONNECTED'],
  ])('a network failure (%s) becomes network_error with a Chinese message', async (errMsg) => {
    mock.route('GET', '/orders', { fail: errMsg });

    await expect(api.get('/orders')).rejects.toMatchObject({
      code: 'network_error',
      message: '网络不稳定，请检查网络后重试',
      fields: {},
      status: 0,
    });
  });
});

describe('idempotency keys', () => {
  test('an idempotent POST keeps the same Idempotency-Key on the retry after a 401', async () => {
    mock
      .route('POST', '/orders', protectedEndpoint('access-new', { id: 7 }))
      .route('POST', '/auth/refresh', { statusCode: 200, data: session({ access: 'access-new' }) });

    await expect(api.post('/orders', { item: 'fruit-tree-pests' }, { idempotent: true }))
      .resolves.toEqual({ id: 7 });

    const keys = mock.requestsTo('/orders').map((req) => req.header['Idempotency-Key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(mock.requestsTo('/orders')[1].data).toEqual({ item: 'fruit-tree-pests' });
  });

  test('each new submit gets its own key, and requests not marked idempotent get none', async () => {
    mock.route('POST', '/orders', { statusCode: 201, data: { id: 1 } });
    mock.route('GET', '/orders', { statusCode: 200, data: [] });

    await api.post('/orders', {}, { idempotent: true });
    await api.post('/orders', {}, { idempotent: true });
    await api.post('/orders', {});
    await api.get('/orders', {}, { idempotent: true });

    const keys = mock.requests.map((req) => req.header['Idempotency-Key']);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toMatch(UUID);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBeUndefined();
    expect(keys[3]).toBeUndefined();
  });

  test('a submit lost to the network hands back its key so 重试 resubmits under the same key', async () => {
    mock.route('POST', '/orders', (req, nthCall) => (nthCall === 1
      ? { fail: 'request:fail timeout' }
      : { statusCode: 201, data: { id: 9 } }));

    const error = await api.post('/orders', { item: 'x' }, { idempotent: true }).catch((err) => err);
    expect(error.code).toBe('network_error');

    await expect(api.post('/orders', { item: 'x' }, { idempotencyKey: error.idempotencyKey }))
      .resolves.toEqual({ id: 9 });

    const keys = mock.requestsTo('/orders').map((req) => req.header['Idempotency-Key']);
    expect(keys[0]).toMatch(UUID);
    expect(keys).toEqual([keys[0], keys[0]]);
  });
});
