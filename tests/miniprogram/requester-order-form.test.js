const simulate = require('miniprogram-simulate');
const { apiError, deferred } = require('./helpers/wx-mock');
const { renderPage, textOf, waitFor } = require('./helpers/miniprogram');
const { change, input, installLoggedInWx, mockWx, openPage, shownAsIs, tap } = require('./helpers/page');

const MENU = 'pages/requester/menu/index';
const FORM = 'pages/requester/order-form/index';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const FRUIT = { code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', categoryName: '种植技术' };

// Province → city → county → township → village, keyed by parent ('' = the provinces).
const REGION_TREE = {
  '': [{ code: '230000000000', name: '黑龙江省', level: 'province' }],
  '230000000000': [{ code: '230100000000', name: '哈尔滨市', level: 'city' }],
  '230100000000': [{ code: '230184000000', name: '五常市', level: 'county' }],
  '230184000000': [{ code: '230184200000', name: '民乐朝鲜族乡', level: 'township' }],
  '230184200000': [
    { code: '230184200201', name: '民乐村', level: 'village', latitude: 45.03, longitude: 127.09 },
    { code: '230184200202', name: '红光村', level: 'village', latitude: 45.04, longitude: 127.1 },
  ],
};

const VILLAGE_TRAIL = [
  { code: '230000000000', name: '黑龙江省', level: 'province' },
  { code: '230100000000', name: '哈尔滨市', level: 'city' },
  { code: '230184000000', name: '五常市', level: 'county' },
  { code: '230184200000', name: '民乐朝鲜族乡', level: 'township' },
  { code: '230184200201', name: '民乐村', level: 'village' },
];

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

function daysFromToday(n) {
  const date = new Date();
  date.setDate(date.getDate() + n);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function orderBody(overrides = {}) {
  return Object.assign({
    id: 31,
    status: 'submitted',
    status_label: '待受理',
    field: 'agriculture',
    items: [{ code: FRUIT.code, name: FRUIT.name, category: '种植技术' }],
    description: '苹果树叶子发黄，用过药，但不见好',
    region_code: '230184200201',
    region_name: '民乐村',
    window_start: daysFromToday(2),
    window_end: daysFromToday(7),
    on_behalf_of: null,
    contact_name: '',
    contact_phone: '13800000201',
    address: '五常市民乐乡民乐村三组',
    latitude: 45.03,
    longitude: 127.09,
    photo_ids: [],
    last_reason: null,
    submitted_at: '2025-06-01T02:00:00+00:00',
    version: 1,
    actions: ['cancel'],
  }, overrides);
}

/** A draft that passes every check, as the form itself would have saved it. */
function completeDraft(extra = {}) {
  return {
    version: 1,
    items: [FRUIT],
    form: Object.assign({
      description: '苹果树叶子发黄卷曲',
      photos: [],
      regionCode: '230184200201',
      regionTrail: VILLAGE_TRAIL,
      address: '五常市民乐乡民乐村三组',
      latitude: 45.03,
      longitude: 127.09,
      windowStart: daysFromToday(2),
      windowEnd: daysFromToday(7),
      contactPhone: '13800000201',
      contactName: '',
      onBehalf: false,
      onBehalfOf: '',
    }, extra),
  };
}

let mock;
let uploads;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo', 'navigateBack', 'redirectTo', 'setNavigationBarTitle');
  uploads = [];
  mock.route('GET', '/regions', (req) => ({
    statusCode: 200,
    data: { items: REGION_TREE[(req.data && req.data.parent) || ''] || [] },
  }));
});

/** wx.uploadFile answering through `responder(options, nthCall)` after reporting 50% progress. */
function answerUploads(responder) {
  global.wx.uploadFile = (options) => {
    uploads.push(options);
    const nth = uploads.length;
    const listeners = [];
    setTimeout(() => {
      Promise.resolve(responder(options, nth)).then((res) => {
        listeners.forEach((listener) => listener({ progress: 50, totalBytesSent: 1, totalBytesExpectedToSend: 2 }));
        if (res.fail) {
          options.fail({ errMsg: res.fail });
        } else {
          options.success({ statusCode: res.statusCode, data: JSON.stringify(res.data) });
        }
      });
    }, 0);
    return { onProgressUpdate: (listener) => listeners.push(listener), abort() {} };
  };
}

function pickPhotos(paths) {
  global.wx.chooseMedia = jest.fn((options) => {
    options.success({ type: 'image', tempFiles: paths.map((p) => ({ tempFilePath: p, size: 1000, fileType: 'image' })) });
  });
}

function pickLocation(result) {
  global.wx.chooseLocation = jest.fn((options) => {
    options.success(Object.assign({ errMsg: 'chooseLocation:ok' }, result));
  });
}

function openForm(query = {}) {
  return openPage(FORM, query, { until: 'loaded' });
}

describe('from the menu to the form', () => {
  test('items picked on the menu are on the form, with the default window of 2 to 7 days from today', async () => {
    mock.route('GET', '/menu', {
      statusCode: 200,
      data: {
        categories: [{
          code: 'planting',
          name: '种植技术',
          items: [{ id: 1, code: FRUIT.code, name: FRUIT.name, description: '', typical_hours: 4 }],
        }],
      },
    });
    const menu = renderPage(simulate, MENU);
    await waitFor(() => expect(textOf(menu)).toContain('果树病虫害诊断'));
    await tap(menu, `#pick-${FRUIT.code}`);
    await tap(menu, '#go-order');
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: `/${FORM}` });

    const page = await openForm();

    expect(shownAsIs(page, '#field-items')).toContain('果树病虫害诊断');
    expect(page.instance.data.form.windowStart).toBe(daysFromToday(2));
    expect(page.instance.data.form.windowEnd).toBe(daysFromToday(7));
    expect(shownAsIs(page, '#window-start-text')).toMatch(/^\d+月\d+日（周.）$/);
  });

  test('an item can be taken off the form, and the menu sees it gone', async () => {
    mock.store.set('requester.orderDraft', completeDraft());
    const page = await openForm();

    await tap(page, `#remove-item-${FRUIT.code}`);

    expect(shownAsIs(page, '#field-items')).not.toContain('果树病虫害诊断');
    expect(mock.store.get('requester.orderDraft').items).toEqual([]);
  });
});

describe('checks before sending', () => {
  test('an empty form shows a Chinese message at each missing field and sends nothing', async () => {
    const page = await openForm();

    await tap(page, '#submit');

    expect(shownAsIs(page, '#error-items')).toBe('请先在菜单里选择要请专家做的事');
    expect(shownAsIs(page, '#error-description')).toBe('请说一说遇到了什么问题');
    expect(shownAsIs(page, '#error-region')).toBe('请选择所在的村（社区）');
    expect(shownAsIs(page, '#error-location')).toBe('请点「在地图上选位置」标出服务地点');
    expect(shownAsIs(page, '#error-contactPhone')).toBe('请填写联系电话');
    expect(shownAsIs(page, '#form-error')).toMatch(/^还有 \d+ 处要填写或修改，请看红字提示$/);
    expect(mock.requestsTo('/orders')).toHaveLength(0);
  });

  test('a bad phone number, a too-short description and an end before the start are each explained', async () => {
    mock.store.set('requester.orderDraft', completeDraft());
    const page = await openForm();

    await input(page, '#contact-phone', '1380000');
    await input(page, '#description', '发黄');
    await change(page, '#window-end', daysFromToday(1));
    await tap(page, '#submit');

    expect(shownAsIs(page, '#error-contactPhone')).toBe('手机号码不对，请填写 11 位手机号');
    expect(shownAsIs(page, '#error-description')).toBe('问题再多写几个字（至少 5 个字）');
    expect(shownAsIs(page, '#error-windowEnd')).toBe('结束日期不能早于开始日期');
    expect(shownAsIs(page, '#error-region')).toBeNull();
    expect(mock.requestsTo('/orders')).toHaveLength(0);
  });

  test('代村民下单 without the villager\'s name is caught', async () => {
    mock.store.set('requester.orderDraft', completeDraft());
    const page = await openForm();

    await change(page, '#on-behalf', true);
    await tap(page, '#submit');

    expect(shownAsIs(page, '#error-onBehalfOf')).toBe('请填写村民姓名');
    expect(mock.requestsTo('/orders')).toHaveLength(0);
  });

  test('fixing a field takes its message away', async () => {
    mock.store.set('requester.orderDraft', completeDraft({ contactPhone: '' }));
    const page = await openForm();
    await tap(page, '#submit');
    expect(shownAsIs(page, '#error-contactPhone')).toBe('请填写联系电话');

    await input(page, '#contact-phone', '13800000201');

    expect(shownAsIs(page, '#error-contactPhone')).toBeNull();
  });
});

describe('a valid order', () => {
  test('filled in by taps sends exactly the order JSON with an Idempotency-Key, then opens the order', async () => {
    mock.store.set('requester.orderDraft', { version: 1, items: [FRUIT] });
    mock.route('POST', '/orders', { statusCode: 201, data: orderBody() });
    answerUploads(() => ({ statusCode: 201, data: { id: 'u-1', url: '/api/v1/uploads/u-1/content?exp=1&sig=x' } }));
    pickPhotos(['wxfile://tmp/apple.jpg']);
    pickLocation({ name: '民乐村村委会', address: '黑龙江省哈尔滨市五常市民乐乡', latitude: 45.03, longitude: 127.09 });
    const page = await openForm();

    await input(page, '#description', '苹果树叶子发黄');
    await tap(page, '#hint-1');
    await tap(page, '#add-photos');
    await waitFor(() => expect(page.instance.data.form.photos[0].status).toBe('done'));
    await tap(page, '#pick-village');
    for (const region of VILLAGE_TRAIL) {
      await waitFor(() => expect(page.querySelector(`#region-${region.code}`)).toBeTruthy());
      await tap(page, `#region-${region.code}`);
    }
    await tap(page, '#choose-location');
    await input(page, '#contact-phone', '13800000201');
    await change(page, '#on-behalf', true);
    await input(page, '#on-behalf-name', '赵大山');

    expect(page.querySelector('#region-picker')).toBeFalsy();
    expect(shownAsIs(page, '#region-text')).toBe('黑龙江省 哈尔滨市 五常市 民乐朝鲜族乡 民乐村');
    expect(shownAsIs(page, '#photo-0')).toContain('已上传');

    wx.requestSubscribeMessage = jest.fn(({ success }) => success({}));
    await tap(page, '#submit');
    await waitFor(() => expect(wx.redirectTo).toHaveBeenCalled());

    // The tap is the moment WeChat allows asking for the messages the requester will wait for.
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1);
    const sent = mock.requestsTo('/orders');
    expect(sent).toHaveLength(1);
    expect(sent[0].method).toBe('POST');
    expect(sent[0].data).toEqual({
      items: ['fruit_tree_pest_diagnosis'],
      description: '苹果树叶子发黄，用过药，但不见好',
      region_code: '230184200201',
      address: '黑龙江省哈尔滨市五常市民乐乡民乐村村委会',
      latitude: 45.03,
      longitude: 127.09,
      window_start: daysFromToday(2),
      window_end: daysFromToday(7),
      contact_phone: '13800000201',
      photos: ['u-1'],
      on_behalf_of: '赵大山',
    });
    expect(sent[0].header['Idempotency-Key']).toMatch(UUID);
    expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/requester/order-detail/index?id=31' });
    expect(mock.toasts.map((toast) => toast.title)).toContain('提交成功');
    // The draft is gone; the village and phone are remembered for next time.
    expect(mock.store.has('requester.orderDraft')).toBe(false);
    expect(mock.store.get('requester.lastOrder')).toMatchObject({
      regionCode: '230184200201',
      contactPhone: '13800000201',
    });

    const [photo] = uploads;
    expect(photo.filePath).toBe('wxfile://tmp/apple.jpg');
    expect(photo.name).toBe('file');
    expect(photo.formData).toEqual({ purpose: 'order_photo' });
    expect(photo.header.Authorization).toBe('Bearer access-1');
    expect(photo.url).toBe('http://127.0.0.1:8000/api/v1/uploads');
  });

  test('the next order starts with the last order\'s village and phone', async () => {
    mock.store.set('requester.lastOrder', {
      version: 1, regionCode: '230184200201', regionTrail: VILLAGE_TRAIL, contactPhone: '13800000201', contactName: '',
    });
    const page = await openForm();

    expect(shownAsIs(page, '#region-text')).toBe('黑龙江省 哈尔滨市 五常市 民乐朝鲜族乡 民乐村');
    expect(page.instance.data.form.contactPhone).toBe('13800000201');

    // Changing the village starts among its neighbours, not at the province.
    await tap(page, '#pick-village');
    await waitFor(() => expect(page.querySelector('#region-230184200202')).toBeTruthy());
    expect(mock.requestsTo('/regions').map((req) => req.data)).toEqual([{ parent: '230184200000' }]);
  });

  test('the submit button is disabled while sending, and a second tap sends nothing', async () => {
    mock.store.set('requester.orderDraft', completeDraft());
    const reply = deferred();
    mock.route('POST', '/orders', () => reply.promise);
    const page = await openForm();

    await tap(page, '#submit');
    expect(page.instance.data.submitting).toBe(true);
    expect(shownAsIs(page, '#submit')).toBe('正在提交…');
    await tap(page, '#submit');

    reply.resolve({ statusCode: 201, data: orderBody() });
    await waitFor(() => expect(wx.redirectTo).toHaveBeenCalled());
    expect(mock.requestsTo('/orders')).toHaveLength(1);
  });
});

describe('when the network drops', () => {
  test('the draft stays, and 重试 sends again under the same Idempotency-Key', async () => {
    mock.store.set('requester.orderDraft', completeDraft());
    mock.route('POST', '/orders', (req, nth) => (nth === 1
      ? { fail: 'request:fail timeout' }
      : { statusCode: 201, data: orderBody() }));
    const page = await openForm();

    await tap(page, '#submit');
    await waitFor(() => expect(shownAsIs(page, '#form-error')).toContain('网络不稳定，请检查网络后重试'));
    expect(shownAsIs(page, '#form-error')).toContain('您填的内容都已保存');
    expect(page.instance.data.submitting).toBe(false);
    const saved = mock.store.get('requester.orderDraft');
    expect(saved.form.description).toBe('苹果树叶子发黄卷曲');
    expect(saved.pendingKey).toMatch(UUID);

    await tap(page, '#retry-submit');
    await waitFor(() => expect(wx.redirectTo).toHaveBeenCalled());

    const keys = mock.requestsTo('/orders').map((req) => req.header['Idempotency-Key']);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).toBe(saved.pendingKey);
  });

  test('after the app is closed mid-failure, reopening offers 重试 with the same key', async () => {
    mock.store.set('requester.orderDraft', completeDraft());
    mock.route('POST', '/orders', (req, nth) => (nth === 1
      ? { fail: 'request:fail ' }
      : { statusCode: 201, data: orderBody() }));
    const first = await openForm();
    await tap(first, '#submit');
    await waitFor(() => expect(first.querySelector('#retry-submit')).toBeTruthy());
    first.detach();
    // Reopening after the app was closed: the page's code runs afresh.
    jest.resetModules();

    const page = await openForm();

    expect(shownAsIs(page, '#form-error')).toBe('上次提交时网络断了，您填的内容都在。请点「重试」再次提交');
    await tap(page, '#retry-submit');
    await waitFor(() => expect(wx.redirectTo).toHaveBeenCalled());
    const keys = mock.requestsTo('/orders').map((req) => req.header['Idempotency-Key']);
    expect(keys).toEqual([keys[0], keys[0]]);
  });
});

describe('the draft', () => {
  test('what was typed is back when the form is opened again', async () => {
    mock.store.set('requester.orderDraft', { version: 1, items: [FRUIT] });
    const first = await openForm();
    await input(first, '#description', '苹果树叶子发黄');
    await input(first, '#contact-phone', '13900000000');
    await input(first, '#address', '三组老张家');
    await change(first, '#window-start', daysFromToday(3));
    first.detach();
    // Reopening after the app was closed: the page's code runs afresh.
    jest.resetModules();

    const page = await openForm();

    expect(page.instance.data.form).toMatchObject({
      description: '苹果树叶子发黄',
      contactPhone: '13900000000',
      address: '三组老张家',
      windowStart: daysFromToday(3),
      items: [FRUIT],
    });
    expect(shownAsIs(page, '#field-items')).toContain('果树病虫害诊断');
  });

  test('a photo cut off mid-upload comes back as failed, with 重试', async () => {
    mock.store.set('requester.orderDraft', completeDraft({
      photos: [{ key: 'p1', id: '', localPath: 'wxfile://tmp/a.jpg', url: '', status: 'uploading', progress: 40 }],
    }));
    answerUploads(() => ({ statusCode: 201, data: { id: 'u-9', url: '' } }));
    const page = await openForm();

    expect(shownAsIs(page, '#photo-failed-0')).toBe('没传上去');
    await tap(page, '#photo-retry-0');
    await waitFor(() => expect(shownAsIs(page, '#photo-0')).toContain('已上传'));
    expect(mock.store.get('requester.orderDraft').form.photos[0].id).toBe('u-9');
  });
});

test('a draft whose dates have passed opens with a fresh window of 2 to 7 days from today', async () => {
  mock.store.set('requester.orderDraft', completeDraft({ windowStart: '2020-01-02', windowEnd: '2020-01-05' }));
  const page = await openForm();

  expect(page.instance.data.form.windowStart).toBe(daysFromToday(2));
  expect(page.instance.data.form.windowEnd).toBe(daysFromToday(7));
  expect(page.instance.data.form.description).toBe('苹果树叶子发黄卷曲');
});

describe('photos', () => {
  test('each photo shows its progress, a failed one can be retried alone, and a waiting upload blocks sending', async () => {
    mock.store.set('requester.orderDraft', completeDraft());
    const slow = deferred();
    answerUploads((options, nth) => {
      if (nth === 1) return { fail: 'uploadFile:fail timeout' };
      if (nth === 2) return slow.promise;
      return { statusCode: 201, data: { id: `u-${nth}`, url: '' } };
    });
    pickPhotos(['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg']);
    const page = await openForm();

    await tap(page, '#add-photos');
    expect(global.wx.chooseMedia.mock.calls[0][0]).toMatchObject({ count: 9, mediaType: ['image'] });
    await waitFor(() => expect(shownAsIs(page, '#photo-failed-0')).toBe('没传上去'));
    expect(shownAsIs(page, '#photo-progress-1')).toBe('上传中 0%');

    await tap(page, '#submit');
    expect(shownAsIs(page, '#error-photos')).toBe('照片还在上传，请稍等一下');
    expect(mock.requestsTo('/orders')).toHaveLength(0);

    slow.resolve({ statusCode: 201, data: { id: 'u-2', url: '' } });
    await waitFor(() => expect(shownAsIs(page, '#photo-1')).toContain('已上传'));
    await tap(page, '#photo-retry-0');
    await waitFor(() => expect(shownAsIs(page, '#photo-0')).toContain('已上传'));

    expect(uploads.map((u) => u.filePath)).toEqual(['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg', 'wxfile://tmp/a.jpg']);
    expect(page.instance.data.form.photos.map((p) => p.id)).toEqual(['u-3', 'u-2']);
  });

  test('upload progress is shown while a photo goes up', async () => {
    let progress = null;
    global.wx.uploadFile = () => ({
      onProgressUpdate: (listener) => {
        progress = listener;
      },
    });
    pickPhotos(['wxfile://tmp/a.jpg']);
    const page = await openForm();
    await tap(page, '#add-photos');

    progress({ progress: 60 });
    await simulate.sleep(0);

    expect(shownAsIs(page, '#photo-progress-0')).toBe('上传中 60%');
  });
});

describe('the server\'s own checks', () => {
  test('a 422 puts each message next to its field and keeps no key', async () => {
    mock.store.set('requester.orderDraft', completeDraft());
    mock.route('POST', '/orders', {
      statusCode: 422,
      data: apiError('validation_failed', '填写的信息有误', {
        region_code: '该村（社区）不在系统的区划中',
        contact_phone: '格式不正确',
        body: '期望时间的结束日期不能早于开始日期',
      }),
    });
    const page = await openForm();

    await tap(page, '#submit');
    await waitFor(() => expect(shownAsIs(page, '#error-region')).toBe('该村（社区）不在系统的区划中'));

    expect(shownAsIs(page, '#error-contactPhone')).toBe('格式不正确');
    expect(shownAsIs(page, '#form-error')).toBe('填写的信息有误：期望时间的结束日期不能早于开始日期');
    expect(page.querySelector('#retry-submit')).toBeFalsy();
    expect(mock.store.get('requester.orderDraft').pendingKey).toBe('');
  });
});

describe('补充信息 for a returned order', () => {
  const RETURNED = orderBody({
    id: 7,
    status: 'returned',
    status_label: '退回补充',
    last_reason: '请补充果园面积和发病照片',
    photo_ids: ['old-1'],
    actions: ['resubmit', 'cancel'],
    version: 3,
  });

  test('sends only the fields that changed', async () => {
    mock.route('GET', '/orders/7', { statusCode: 200, data: RETURNED });
    mock.route('POST', '/orders/7/resubmit', { statusCode: 200, data: orderBody({ id: 7, version: 4 }) });
    answerUploads(() => ({ statusCode: 201, data: { id: 'new-2', url: '' } }));
    pickPhotos(['wxfile://tmp/orchard.jpg']);
    const page = await openForm({ id: '7' });

    expect(shownAsIs(page, '#returned-reason')).toContain('请补充果园面积和发病照片');
    expect(page.querySelector(`#remove-item-${FRUIT.code}`)).toBeFalsy();
    expect(page.querySelector('#pick-village')).toBeFalsy();

    await tap(page, '#hint-3');
    await tap(page, '#add-photos');
    await waitFor(() => expect(shownAsIs(page, '#photo-1')).toContain('已上传'));
    await tap(page, '#submit');
    await waitFor(() => expect(wx.navigateBack).toHaveBeenCalled());

    const [sent] = mock.requestsTo('/orders/7/resubmit');
    expect(sent.data).toEqual({
      description: '苹果树叶子发黄，用过药，但不见好，面积比较大',
      photos: ['old-1', 'new-2'],
    });
    expect(sent.header['Idempotency-Key']).toMatch(UUID);
    expect(mock.store.has('requester.editDraft.7')).toBe(false);
  });

  test('nothing changed: says so and sends nothing', async () => {
    mock.route('GET', '/orders/7', { statusCode: 200, data: RETURNED });
    const page = await openForm({ id: '7' });

    await tap(page, '#submit');

    expect(shownAsIs(page, '#form-error')).toBe('您还没有修改任何内容');
    expect(mock.requestsTo('/orders/7/resubmit')).toHaveLength(0);
  });

  test('an order that is no longer returned cannot be edited', async () => {
    mock.route('GET', '/orders/7', { statusCode: 200, data: orderBody({ id: 7, status: 'accepted', actions: [] }) });
    const page = await openForm({ id: '7' });

    expect(shownAsIs(page, '#locked')).toContain('这张需求单现在是「已受理，待派单」，不需要补充信息');
    expect(page.querySelector('#submit')).toBeFalsy();
  });

  test('a 409 on resubmit shows the message and goes back to the order', async () => {
    mock.route('GET', '/orders/7', { statusCode: 200, data: RETURNED });
    mock.route('POST', '/orders/7/resubmit', {
      statusCode: 409,
      data: { error: { code: 'invalid_transition', message: '该需求单当前为「已撤销」，不能补充后重新提交', fields: {} }, current_status: 'cancelled' },
    });
    const modals = [];
    global.wx.showModal = (options) => {
      modals.push(options);
      options.success({ confirm: true });
    };
    const page = await openForm({ id: '7' });

    await input(page, '#contact-phone', '13900000000');
    await tap(page, '#submit');
    await waitFor(() => expect(modals).toHaveLength(1));

    expect(modals[0].content).toBe('该需求单当前为「已撤销」，不能补充后重新提交');
    expect(wx.navigateBack).toHaveBeenCalled();
    expect(mock.requestsTo('/orders/7/resubmit')[0].data).toEqual({ contact_phone: '13900000000' });
  });
});
