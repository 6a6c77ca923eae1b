/**
 * WeChat subscribe messages: the backend can only send a person a message
 * they agreed to receive, and WeChat only lets a page ask inside a tap.
 * So the pages call `ask()` first thing in the tap handler of the action
 * whose outcome the person will wait for, and carry on whatever the answer.
 */

const { SUBSCRIBE_TEMPLATES } = require('../config/index');

/** What each moment asks for, by the events the backend then sends. */
const MOMENTS = Object.freeze({
  // 下单 / 补充提交: accepted, returned, dispatched, expert accepted, reminders to rate.
  placeOrder: ['orderUpdate', 'reminder'],
  // 专家接单: new tasks, recalls, claims confirmed.
  expertAnswer: ['assignment', 'orderUpdate'],
});

/** Ask for the moment's templates; resolves with WeChat's answers, or {} when refused or unsupported. */
function ask(moment) {
  const tmplIds = (MOMENTS[moment] || []).map((kind) => SUBSCRIBE_TEMPLATES[kind]).filter(Boolean);
  if (!tmplIds.length || typeof wx.requestSubscribeMessage !== 'function') {
    return Promise.resolve({});
  }
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds,
      success: (result) => resolve(result || {}),
      // Refusing, or an old base library, must never block the action the person tapped.
      fail: () => resolve({}),
    });
  });
}

module.exports = { MOMENTS, ask };
