// Visits the server flagged instead of silently accepting (too short, too
// long, out of area, no location, offline clock…): the admin reads why and
// decides 通过 or 不通过, always with a reason that is kept with the record.
const admin = require('../../../services/admin');
const reviewList = require('../../../behaviors/review-list');

const SHEETS = Object.freeze({
  approve: {
    title: '通过：核实的情况',
    presets: ['已电话向需求方核实，专家确实到场服务', '定位有偏差，服务地点在村内其他位置', '山区没有信号，离线签到属实'],
    confirmText: '通过',
    danger: false,
    toast: '已通过',
  },
  reject: {
    title: '不通过：核实的情况',
    presets: ['经核实专家未到现场服务', '服务时间与实际不符', '需求方不认可这次服务'],
    confirmText: '不通过',
    danger: true,
    toast: '已不通过',
  },
});

Component({
  behaviors: [reviewList({
    list: () => admin.listFlaggedVisits(),
    decide: (visitId, approve, reason) => admin.reviewVisit(visitId, approve, reason),
    sheets: SHEETS,
    idKey: 'visitId',
  })],
});
