const { installWx } = require('./helpers/wx-mock');

let mock;
let subscribe;

beforeEach(() => {
  jest.resetModules();
  mock = installWx();
  subscribe = require('../../miniprogram/services/subscribe');
});

test('placing an order asks for the order-update and reminder templates the backend sends', async () => {
  wx.requestSubscribeMessage = jest.fn(({ success }) => success({ TMPL_ORDER_UPDATE: 'accept', TMPL_REMINDER: 'reject' }));

  const answers = await subscribe.ask('placeOrder');

  expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1);
  expect(wx.requestSubscribeMessage.mock.calls[0][0].tmplIds).toEqual(['TMPL_ORDER_UPDATE', 'TMPL_REMINDER']);
  expect(answers).toEqual({ TMPL_ORDER_UPDATE: 'accept', TMPL_REMINDER: 'reject' });
});

test('a refusal or an old base library never blocks the action', async () => {
  wx.requestSubscribeMessage = jest.fn(({ fail }) => fail({ errMsg: 'requestSubscribeMessage:fail cancel' }));
  await expect(subscribe.ask('expertAnswer')).resolves.toEqual({});

  delete wx.requestSubscribeMessage;
  await expect(subscribe.ask('expertAnswer')).resolves.toEqual({});
  expect(mock.requests).toHaveLength(0);
});

test('the template ids equal the backend settings defaults', () => {
  const fs = require('fs');
  const path = require('path');
  const config = fs.readFileSync(path.join(__dirname, '..', '..', 'backend', 'config.py'), 'utf8');
  const { SUBSCRIBE_TEMPLATES } = require('../../miniprogram/config/index');
  for (const [setting, kind] of [['template_order_update', 'orderUpdate'], ['template_assignment', 'assignment'],
    ['template_reminder', 'reminder']]) {
    const match = config.match(new RegExp(`${setting}: str = "([^"]+)"`));
    expect(match && match[1]).toBe(SUBSCRIBE_TEMPLATES[kind]);
  }
});
