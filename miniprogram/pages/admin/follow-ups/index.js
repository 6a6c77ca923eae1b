// 回访: visits rated low or never rated. The admin calls the requester,
// writes down what they heard, and decides whether the visit's hours count
// (认定时长) or not (不认定).
const admin = require('../../../services/admin');
const reviewList = require('../../../behaviors/review-list');

const ORDER_URL = '/pages/admin/order/index';

const SHEETS = Object.freeze({
  approve: {
    title: '回访情况（认定时长）',
    presets: ['已电话回访，需求方确认专家到场服务', '需求方对服务基本满意，问题已部分解决', '需求方忘记评价，服务属实'],
    confirmText: '认定时长',
    danger: false,
    toast: '已认定',
  },
  reject: {
    title: '回访情况（不认定）',
    presets: ['需求方反映专家未到场', '服务内容与需求不符，问题未解决', '多次联系需求方均未接通，无法核实'],
    confirmText: '不认定',
    danger: true,
    toast: '已不认定',
  },
});

Component({
  behaviors: [reviewList({
    list: () => admin.listFollowUps(),
    decide: (followUpId, approve, outcome) => admin.closeFollowUp(followUpId, outcome, approve),
    sheets: SHEETS,
    idKey: 'followUpId',
  })],

  methods: {
    onOpenOrder(event) {
      wx.navigateTo({ url: `${ORDER_URL}?id=${event.currentTarget.dataset.order}` });
    },
  },
});
