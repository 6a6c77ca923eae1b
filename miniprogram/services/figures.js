/**
 * 跟踪问效: the region's figures for a period, as key numbers and bars ready
 * to draw, and the same figures as an Excel file to open on the phone.
 */

const config = require('../config/index');
const storage = require('../utils/storage');
const { get, ApiError } = require('./request');
const { today, parseDay, toDay, formatDay } = require('../utils/format');

const FIGURES_PATH = '/figures';
const EXCEL_PATH = '/figures.xlsx';
const DOWNLOAD_FAILED_MESSAGE = '下载没有成功，请稍后重试';
const OPEN_FAILED_MESSAGE = '文件已下载，但手机上没有能打开 Excel 的应用';

const PERIODS = Object.freeze([
  Object.freeze({ key: 'month', label: '本月' }),
  Object.freeze({ key: 'year', label: '本年' }),
  Object.freeze({ key: 'custom', label: '自定义' }),
]);

// What the bars can measure; each reads one number of a row's figures.
const METRICS = Object.freeze([
  Object.freeze({ key: 'orders', label: '需求单', unit: '件', read: (f) => (f.orders && f.orders.total) || 0 }),
  Object.freeze({ key: 'visits', label: '上门服务', unit: '次', read: (f) => f.visits || 0 }),
  Object.freeze({ key: 'hours', label: '服务时长', unit: '小时', read: (f) => Number(f.service_hours) || 0 }),
]);

const SUB_REGION_TITLES = Object.freeze({
  city: '各市',
  county: '各县（市、区）',
  township: '各乡镇（街道）',
  village: '各村（社区）',
});

/** The {from, to} days ('YYYY-MM-DD') of 本月 or 本年 up to today. */
function periodRange(kind, now) {
  const end = today(now);
  const date = parseDay(end);
  const start = kind === 'year'
    ? toDay(new Date(date.getFullYear(), 0, 1))
    : toDay(new Date(date.getFullYear(), date.getMonth(), 1));
  return { from: start, to: end };
}

function number(value, digits) {
  const n = Number(value);
  if (value === null || value === undefined || Number.isNaN(n)) {
    return '—';
  }
  const factor = 10 ** (digits || 0);
  return String(Math.round(n * factor) / factor);
}

function keyNumbers(totals) {
  const satisfaction = totals.satisfaction || {};
  const accept = (totals.turnaround_hours && totals.turnaround_hours.accept) || {};
  const share = satisfaction.satisfied_share;
  return [
    { key: 'orders', label: '需求单', value: number(totals.orders && totals.orders.total), unit: '件', note: '' },
    { key: 'visits', label: '上门服务', value: number(totals.visits), unit: '次', note: '' },
    { key: 'hours', label: '服务时长', value: number(totals.service_hours, 1), unit: '小时', note: '' },
    { key: 'days', label: '服务天数', value: number(totals.service_days), unit: '天', note: '' },
    {
      key: 'satisfaction',
      label: '满意度',
      value: number(satisfaction.average, 1),
      unit: satisfaction.average === null || satisfaction.average === undefined ? '' : '分',
      note: share === null || share === undefined ? '暂无评价' : `满意 ${Math.round(Number(share) * 100)}%`,
    },
    {
      key: 'accept',
      label: '接单用时中位数',
      value: number(accept.median, 1),
      unit: accept.median === null || accept.median === undefined ? '' : '小时',
      note: '',
    },
  ];
}

/**
 * Rows as bars, longest first: width in % of the largest value, so the
 * longest bar fills the track and the rest are in proportion to it.
 */
function toBars(rows, metric) {
  const values = rows.map((row, index) => ({
    key: String(row.key === null || row.key === undefined ? `none-${index}` : row.key),
    label: row.label || '',
    value: metric.read(row.figures || {}),
    index,
  }));
  const max = values.reduce((top, row) => Math.max(top, row.value), 0);
  return values
    .sort((a, b) => (b.value - a.value) || (a.index - b.index))
    .map((row) => ({
      key: row.key,
      label: row.label,
      value: row.value,
      valueText: `${number(row.value, 1)}`,
      width: max > 0 ? Math.round((row.value / max) * 1000) / 10 : 0,
    }));
}

function periodText(period) {
  if (!period) {
    return '';
  }
  return `${formatDay(period.from)} 至 ${formatDay(period.to)}`;
}

/** The report as the page shows it: key numbers and, for each metric, bars by sub-region and by field. */
function toFiguresView(body) {
  const report = body || {};
  const region = report.region || {};
  const charts = {};
  METRICS.forEach((metric) => {
    charts[metric.key] = {
      byRegion: toBars(report.by_region || [], metric),
      byField: toBars(report.by_field || [], metric),
      unit: metric.unit,
    };
  });
  return {
    regionName: region.name || '',
    regionCode: region.code || '',
    periodText: periodText(report.period),
    subRegionTitle: SUB_REGION_TITLES[report.sub_region_level] || '',
    keyNumbers: keyNumbers(report.totals || {}),
    charts,
    dayRule: report.day_rule || '',
  };
}

function query({ from, to, region }) {
  const q = {};
  if (from) {
    q.from = from;
  }
  if (to) {
    q.to = to;
  }
  if (region) {
    q.region = region;
  }
  return q;
}

/** The figures of a period ({from, to} days) and region (default: the admin's own). */
function getFigures(params) {
  return get(FIGURES_PATH, query(params || {})).then(toFiguresView);
}

function excelUrl(params) {
  const q = query(params || {});
  const search = Object.keys(q).map((key) => `${key}=${encodeURIComponent(q[key])}`).join('&');
  return `${config.apiBaseUrl()}${EXCEL_PATH}${search ? `?${search}` : ''}`;
}

function download(url) {
  const token = storage.getAccessToken();
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url,
      header: token ? { Authorization: `Bearer ${token}` } : {},
      success: (res) => resolve(res),
      fail: (err) => reject(new ApiError({
        code: 'download_failed', message: DOWNLOAD_FAILED_MESSAGE, detail: (err && err.errMsg) || '',
      })),
    });
  });
}

function openExcel(filePath) {
  return new Promise((resolve, reject) => {
    wx.openDocument({
      filePath,
      fileType: 'xlsx',
      showMenu: true,
      success: () => resolve(filePath),
      fail: (err) => reject(new ApiError({
        code: 'open_failed', message: OPEN_FAILED_MESSAGE, detail: (err && err.errMsg) || '',
      })),
    });
  });
}

function httpFailure(res) {
  const messages = {
    401: '登录已失效，请重新进入小程序',
    403: '您没有权限导出这些数据',
    404: '导出功能暂未开通，请稍后再试',
  };
  return new ApiError({
    code: `http_${res.statusCode}`,
    message: messages[res.statusCode] || DOWNLOAD_FAILED_MESSAGE,
    status: res.statusCode,
  });
}

/**
 * Download the figures as Excel (wx.downloadFile with the token; one
 * re-login on 401, as request.js does) and open it. Resolves to the file path.
 */
function exportExcel(params) {
  const url = excelUrl(params);
  return download(url)
    .then((res) => {
      if (res.statusCode !== 401) {
        return res;
      }
      // Required here, not at the top: auth.js loads request.js, which this file also loads.
      const auth = require('./auth');
      return auth.renewSession().then(() => download(url));
    })
    .then((res) => {
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw httpFailure(res);
      }
      return openExcel(res.tempFilePath);
    });
}

module.exports = {
  PERIODS,
  METRICS,
  periodRange,
  toBars,
  toFiguresView,
  getFigures,
  excelUrl,
  exportExcel,
};
