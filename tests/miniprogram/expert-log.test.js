const { apiError } = require('./helpers/wx-mock');
const { waitFor } = require('./helpers/miniprogram');
const { input, installLoggedInWx, mockWx, openPage, shownAsIs, tap } = require('./helpers/page');

const LOG = 'pages/expert/log/index';

let mock;
let uploads;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateBack');
  global.wx.chooseMedia = jest.fn((options) => options.success({ tempFiles: [{ tempFilePath: 'wxfile://tmp/a.jpg' }] }));
  uploads = [];
  global.wx.uploadFile = jest.fn((options) => {
    uploads.push(options);
    setTimeout(() => options.success({ statusCode: 201, data: JSON.stringify({ id: 'u-9', url: '/uploads/u-9.jpg' }) }), 0);
    return { onProgressUpdate() {} };
  });
});

function openLog(visit = '31') {
  return openPage(LOG, { visit }, { until: 'called' });
}

test('an empty log is not sent: the content field says what is missing', async () => {
  const page = await openLog();

  await tap(page, '#submit-log');

  expect(shownAsIs(page, '#content-error')).toBe('请写几句服务内容（至少 5 个字），可以点上面的常用语');
  expect(shownAsIs(page, '#form-error')).toBe('还有没填好的地方，请看红字');
  expect(mock.requestsTo('/visits/31/log')).toHaveLength(0);
});

test('phrases, steppers and a photo fill the log, which is sent once with its key and the draft cleared', async () => {
  mock.route('PUT', '/visits/31/log', { statusCode: 200, data: { visit_id: 31 } });
  const page = await openLog();

  await tap(page, '#phrase-0');
  await tap(page, '#phrase-1');
  await tap(page, '#problemsSolved-plus');
  await input(page, '#problems-input', '叶片黄化是缺铁');
  await tap(page, '#peopleServed-plus');
  await tap(page, '#peopleServed-plus');
  await input(page, '#peopleTrained-value', '15');
  await tap(page, '#peopleTrained-minus');
  await tap(page, '#add-photos');
  await waitFor(() => expect(page.instance.data.form.photos[0].state).toBe('done'));
  expect(uploads[0].formData).toEqual({ purpose: 'log_photo' });

  // The draft survives a closed page.
  expect(mock.store.get('expert.logDraft.31')).toMatchObject({ peopleTrained: 14, problems: '叶片黄化是缺铁' });

  await tap(page, '#submit-log');
  await waitFor(() => expect(page.querySelector('#log-done')).toBeTruthy());

  const [sent] = mock.requestsTo('/visits/31/log');
  expect(sent.method).toBe('PUT');
  expect(sent.data).toEqual({
    content: '现场查看了病虫害情况；讲解了防治方法和用药时间',
    problems_solved: 2,
    problems: '叶片黄化是缺铁',
    people_served: 2,
    people_trained: 14,
    photos: ['u-9'],
  });
  expect(sent.header['Idempotency-Key']).toEqual(expect.any(String));
  expect(mock.store.has('expert.logDraft.31')).toBe(false);
});

test('a reopened log form shows the draft', async () => {
  mock.store.set('expert.logDraft.31', {
    version: 1, content: '讲解了修剪技术', problemsSolved: 3, problems: '', peopleServed: 8, peopleTrained: 0, photos: [],
  });
  const page = await openLog();

  expect(page.instance.data.form).toMatchObject({ content: '讲解了修剪技术', problemsSolved: 3, peopleServed: 8 });
  expect(page.querySelector('#peopleServed-value').dom.getAttribute('value') || page.instance.data.form.peopleServed).toBeTruthy();
});

test('counts never go below zero', async () => {
  const page = await openLog();
  await tap(page, '#peopleServed-minus');
  expect(page.instance.data.form.peopleServed).toBe(0);
});

test('a send lost to the network is retried under the same key; a 409 shows the server\'s words', async () => {
  mock.route('PUT', '/visits/31/log', (req, nth) => (nth === 1
    ? { fail: 'request:fail timeout' }
    : { statusCode: 409, data: apiError('visit_open', '请先签退，再填写服务日志') }));
  const page = await openLog();
  await input(page, '#content-input', '现场指导了果树修剪');

  await tap(page, '#submit-log');
  await waitFor(() => expect(shownAsIs(page, '#form-error')).toBe('网络不稳定，请检查网络后重试'));
  await tap(page, '#submit-log');
  await waitFor(() => expect(shownAsIs(page, '#form-error')).toBe('请先签退，再填写服务日志'));

  const [first, second] = mock.requestsTo('/visits/31/log');
  expect(second.header['Idempotency-Key']).toBe(first.header['Idempotency-Key']);
});
