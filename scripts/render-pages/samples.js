/**
 * Sample data for rendering a page: samples/<page-path>.json holds what the
 * backend answers and what is in storage, plus named variants that change
 * some of it (see README.md in this folder for the format).
 */

const fs = require('fs');
const path = require('path');

const SAMPLES_ROOT = path.join(__dirname, 'samples');
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

function sampleFile(pagePath) {
  return path.join(SAMPLES_ROOT, `${pagePath}.json`);
}

function hasSamples(pagePath) {
  return fs.existsSync(sampleFile(pagePath));
}

/** 'YYYY-MM-DD' of today + n days in Beijing. */
function chinaDay(now, n) {
  return new Date(now.getTime() + CHINA_OFFSET_MS + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Dates in samples are written relative to today, so a sample never goes
 * stale: `{{day+2}}` → the date two days from now, `{{year}}` → this year,
 * `{{hours-74}}` → the instant 74 hours ago (for texts like '已等 3 天' that
 * must not depend on the hour the pages are rendered).
 */
function expandDates(value, now) {
  if (typeof value === 'string') {
    return value
      .replace(/\{\{hours([+-]\d+)\}\}/g, (all, n) => new Date(now.getTime() + Number(n) * 3600 * 1000).toISOString())
      .replace(/\{\{day([+-]\d+)?\}\}/g, (all, n) => chinaDay(now, Number(n || 0)))
      .replace(/\{\{year\}\}/g, chinaDay(now, 0).slice(0, 4));
  }
  if (Array.isArray(value)) {
    return value.map((each) => expandDates(each, now));
  }
  if (value && typeof value === 'object') {
    const out = {};
    Object.keys(value).forEach((key) => {
      out[key] = expandDates(value[key], now);
    });
    return out;
  }
  return value;
}

/**
 * The variants of one page, each complete: {name, query, storage, requests,
 * setData, calls, screen, expectText}. Variant keys replace the base's, except
 * requests and storage, which are merged key by key, and expectText, which adds.
 */
function loadVariants(pagePath, now = new Date()) {
  const raw = JSON.parse(fs.readFileSync(sampleFile(pagePath), 'utf8'));
  const sample = expandDates(raw, now);
  const base = {
    query: sample.query || {},
    storage: sample.storage || {},
    requests: sample.requests || {},
    setData: sample.setData || null,
    calls: sample.calls || [],
    screen: sample.screen || 'full',
    expectText: sample.expectText || [],
  };
  const variants = sample.variants || { default: {} };
  return Object.keys(variants).map((name) => {
    const variant = variants[name];
    return {
      name,
      description: variant.description || '',
      query: variant.query || base.query,
      storage: Object.assign({}, base.storage, variant.storage),
      requests: Object.assign({}, base.requests, variant.requests),
      setData: variant.setData || base.setData,
      calls: variant.calls || base.calls,
      screen: variant.screen || base.screen,
      expectText: base.expectText.concat(variant.expectText || []),
    };
  });
}

module.exports = {
  SAMPLES_ROOT,
  sampleFile,
  hasSamples,
  loadVariants,
  expandDates,
};
