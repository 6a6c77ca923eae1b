/**
 * Dates as people read them: 12月3日, 12月3日（周二）, 12月3日 14:05.
 * Calendar days travel as 'YYYY-MM-DD' strings (what the API takes), so a
 * day never shifts with the phone's time zone.
 */

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
// Users and offices are in China; timestamps are shown in Beijing time
// whatever zone the phone (or a test machine) is set to.
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** 'YYYY-MM-DD' → a local Date at midnight, or null. */
function parseDay(day) {
  const match = typeof day === 'string' ? DAY_PATTERN.exec(day) : null;
  if (!match) {
    return null;
  }
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

/** A Date → 'YYYY-MM-DD' in the phone's calendar. */
function toDay(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function today(now) {
  return toDay(now || new Date());
}

/** The day `n` days after `day` (both 'YYYY-MM-DD'). */
function addDays(day, n) {
  const date = parseDay(day);
  return toDay(new Date(date.getFullYear(), date.getMonth(), date.getDate() + n));
}

function monthDay(year, month, date, now) {
  const thisYear = (now || new Date()).getFullYear();
  const prefix = year === thisYear ? '' : `${year}年`;
  return `${prefix}${month}月${date}日`;
}

/** '2025-12-03' → '12月3日' (with the year when it is not this year). */
function formatDay(day, now) {
  const date = parseDay(day);
  if (!date) {
    return '';
  }
  return monthDay(date.getFullYear(), date.getMonth() + 1, date.getDate(), now);
}

/** '2025-12-03' → '12月3日（周三）'. */
function formatDayWithWeekday(day, now) {
  const date = parseDay(day);
  if (!date) {
    return '';
  }
  return `${formatDay(day, now)}（周${WEEKDAYS[date.getDay()]}）`;
}

/** The time window as one phrase: '12月3日 至 12月8日'. */
function formatWindow(start, end, now) {
  if (!start) {
    return '';
  }
  if (!end || end === start) {
    return formatDay(start, now);
  }
  return `${formatDay(start, now)} 至 ${formatDay(end, now)}`;
}

/** An ISO timestamp → '12月3日 14:05' in Beijing time. */
function formatDateTime(iso, now) {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    return '';
  }
  const china = new Date(ms + CHINA_OFFSET_MS);
  const chinaNow = new Date((now || new Date()).getTime() + CHINA_OFFSET_MS);
  const prefix = china.getUTCFullYear() === chinaNow.getUTCFullYear() ? '' : `${china.getUTCFullYear()}年`;
  return `${prefix}${china.getUTCMonth() + 1}月${china.getUTCDate()}日 ${pad(china.getUTCHours())}:${pad(china.getUTCMinutes())}`;
}

module.exports = {
  parseDay,
  toDay,
  today,
  addDays,
  formatDay,
  formatDayWithWeekday,
  formatWindow,
  formatDateTime,
};
