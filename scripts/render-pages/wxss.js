/**
 * WXSS → CSS for a desktop browser pretending to be a 375-pt-wide phone:
 * rpx and vh become px, `page` and the WXML tag selectors point at the
 * elements to-html.js writes, and a component's classes get its scope prefix
 * so that style isolation works as in WeChat.
 */

const fs = require('fs');
const path = require('path');

const SCREEN_WIDTH = 375;
// iPhone X-sized screen: 44 px status bar + 44 px navigation bar above the page.
const SCREEN_HEIGHT = 812;
const STATUS_BAR_HEIGHT = 44;
const NAV_BAR_HEIGHT = 44;
const WINDOW_HEIGHT = SCREEN_HEIGHT - STATUS_BAR_HEIGHT - NAV_BAR_HEIGHT;
const SAFE_AREA_BOTTOM = 34;

// Every built-in WXML component; a type selector naming one is rewritten.
const WXML_TAGS = [
  'page', 'view', 'text', 'image', 'button', 'input', 'textarea', 'scroll-view', 'picker',
  'picker-view', 'picker-view-column', 'switch', 'icon', 'navigator', 'swiper', 'swiper-item',
  'label', 'form', 'checkbox', 'checkbox-group', 'radio', 'radio-group', 'slider', 'progress',
  'rich-text', 'map', 'canvas', 'video', 'camera', 'live-player', 'live-pusher', 'cover-view',
  'cover-image', 'movable-area', 'movable-view', 'editor', 'web-view', 'block', 'open-data',
  'ad', 'official-account', 'match-media', 'page-container', 'share-element', 'root-portal',
];
// The HTML element each WXML tag is written as (to-html.js); a tag selector
// becomes `div:where([data-wx-tag="view"])`, as specific as WeChat's `wx-view`.
const HTML_TAGS = {
  page: 'div', text: 'span', image: 'img', button: 'button', input: 'input', textarea: 'textarea',
  switch: 'span', icon: 'span', checkbox: 'span', radio: 'span', label: 'label', 'cover-image': 'img',
};

function htmlTagOf(wxmlTag) {
  return HTML_TAGS[wxmlTag] || 'div';
}

// Longest first, so `scroll-view` is not read as `scroll` + `-view`.
const TAG_PATTERN = new RegExp(
  `(^|[\\s>+~,(])(${WXML_TAGS.slice().sort((a, b) => b.length - a.length).join('|')})(?=$|[\\s>+~,.:#\\[)])`,
  'g',
);

function round(value) {
  return Number(value.toFixed(3)).toString();
}

/** `36rpx` → `18px`, `100vh` → the page window's height in px, safe-area insets → iPhone X's. */
function convertValue(value) {
  return value
    .replace(/(-?\d*\.?\d+)rpx\b/gi, (all, n) => `${round((Number(n) * SCREEN_WIDTH) / 750)}px`)
    .replace(/(-?\d*\.?\d+)vh\b/gi, (all, n) => `${round((Number(n) * WINDOW_HEIGHT) / 100)}px`)
    .replace(/(?:env|constant)\(\s*safe-area-inset-bottom\s*\)/gi, `${SAFE_AREA_BOTTOM}px`)
    .replace(/(?:env|constant)\(\s*safe-area-inset-(?:top|left|right)\s*\)/gi, '0px');
}

function stripComments(css) {
  return css.replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Inline `@import "x.wxss";` the way the WXSS compiler does. */
function readWxss(file, seen = new Set()) {
  if (seen.has(file) || !fs.existsSync(file)) {
    return '';
  }
  seen.add(file);
  const source = stripComments(fs.readFileSync(file, 'utf8'));
  return source.replace(/@import\s+(?:"([^"]+)"|'([^']+)')\s*;/g, (all, a, b) => {
    const target = path.resolve(path.dirname(file), a || b);
    return readWxss(target.endsWith('.wxss') ? target : `${target}.wxss`, seen);
  });
}

/** Split CSS into top-level `prelude { body }` blocks (bodies keep nested braces). */
function blocks(css) {
  const out = [];
  let i = 0;
  while (i < css.length) {
    const open = css.indexOf('{', i);
    if (open < 0) {
      break;
    }
    const prelude = css.slice(i, open).trim();
    let depth = 1;
    let j = open + 1;
    while (j < css.length && depth > 0) {
      if (css[j] === '{') depth += 1;
      else if (css[j] === '}') depth -= 1;
      j += 1;
    }
    out.push({ prelude, body: css.slice(open + 1, j - 1) });
    i = j;
  }
  return out;
}

/** Split a selector list on top-level commas. */
function splitSelectors(prelude) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < prelude.length; i += 1) {
    const c = prelude[i];
    if (c === '(' || c === '[') depth += 1;
    else if (c === ')' || c === ']') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(prelude.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(prelude.slice(start).trim());
  return parts.filter(Boolean);
}

/**
 * One selector in a scope: null when it has no meaning outside WeChat.
 * scope: {prefix: 'state-view' or '' for the page, hostTag: 'wx-state-view'}.
 */
function convertSelector(selector, scope) {
  // Shadow-piercing combinators and the component placeholder have no browser equivalent.
  if (/>>>|\/deep\/|::v-deep/.test(selector)) {
    return null;
  }
  let out = selector.replace(/\s+/g, ' ');
  if (scope.prefix) {
    out = out.replace(/\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)/g, `.${scope.prefix}--$1`);
  }
  out = out.replace(TAG_PATTERN, (all, before, tag) => `${before}${htmlTagOf(tag)}:where([data-wx-tag="${tag}"])`);
  if (scope.hostTag) {
    out = out.replace(/:host\b/g, scope.hostTag);
  } else if (/:host\b/.test(out)) {
    return null;
  }
  return out;
}

/** The body of a style rule with its values converted. */
function convertDeclarations(body) {
  return body
    .split(';')
    .map((decl) => decl.trim())
    .filter(Boolean)
    .map((decl) => `  ${convertValue(decl)};`)
    .join('\n');
}

/**
 * Convert WXSS text. Options: prefix (component scope), hostTag,
 * placeholderClasses (classes used as input placeholder-class: their rules
 * also style `::placeholder`).
 */
function convertWxss(wxss, options = {}) {
  const scope = { prefix: options.prefix || '', hostTag: options.hostTag || '' };
  const placeholderClasses = options.placeholderClasses || new Set();
  const out = [];
  blocks(stripComments(wxss)).forEach(({ prelude, body }) => {
    if (/^@(media|supports)/i.test(prelude)) {
      out.push(`${convertValue(prelude)} {\n${convertWxss(body, options)}\n}`);
      return;
    }
    if (/^@(-webkit-)?keyframes/i.test(prelude)) {
      const frames = blocks(body).map((frame) => `${frame.prelude} {\n${convertDeclarations(frame.body)}\n}`);
      out.push(`${prelude} {\n${frames.join('\n')}\n}`);
      return;
    }
    if (/^@/.test(prelude)) {
      out.push(`${prelude} {\n${convertDeclarations(body)}\n}`);
      return;
    }
    const selectors = [];
    splitSelectors(prelude).forEach((selector) => {
      const converted = convertSelector(selector, scope);
      if (!converted) {
        return;
      }
      selectors.push(converted);
      // `.placeholder` used as placeholder-class="placeholder": style the native placeholder too.
      const last = /\.([-_a-zA-Z0-9]+)$/.exec(selector.trim());
      if (last && placeholderClasses.has(last[1])) {
        selectors.push(`[data-wx-placeholder-class~="${scope.prefix ? `${scope.prefix}--` : ''}${last[1]}"]::placeholder`);
      }
    });
    if (selectors.length) {
      out.push(`${selectors.join(',\n')} {\n${convertDeclarations(body)}\n}`);
    }
  });
  return out.join('\n');
}

/** Read and convert one .wxss file ('' when it does not exist). */
function convertFile(file, options) {
  return convertWxss(readWxss(file), options);
}

module.exports = {
  SCREEN_WIDTH,
  SCREEN_HEIGHT,
  STATUS_BAR_HEIGHT,
  NAV_BAR_HEIGHT,
  WINDOW_HEIGHT,
  SAFE_AREA_BOTTOM,
  WXML_TAGS,
  htmlTagOf,
  convertValue,
  convertSelector,
  convertWxss,
  convertFile,
  readWxss,
};
