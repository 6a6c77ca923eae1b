/**
 * A rendered page tree (miniprogram-simulate's toJSON()) → HTML a browser
 * shows as the phone would: WXML tags become HTML elements marked with
 * data-wx-tag, classes are kept (prefixed inside isolated components, as
 * WeChat does), native components become look-alikes or labelled boxes.
 */

const path = require('path');
const { convertValue, htmlTagOf } = require('./wxss');

function escapeText(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(value) {
  return escapeText(value).replace(/"/g, '&quot;');
}

// A stand-in for photos whose src only exists on a phone (wxfile://, http://tmp/…).
const PHOTO_PLACEHOLDER = `data:image/svg+xml;utf8,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">'
  + '<rect width="200" height="200" fill="#b9c7a5"/><rect y="120" width="200" height="80" fill="#7d9a5b"/>'
  + '<circle cx="150" cy="55" r="22" fill="#f3e3a1"/><path d="M0 140 L60 80 L110 130 L140 105 L200 150 L200 200 L0 200Z" fill="#5f7f43"/>'
  + '</svg>',
)}`;

const ICON_GLYPHS = {
  success: '✔', success_no_circle: '✓', info: 'ℹ', warn: '⚠', waiting: '◔', cancel: '✕',
  download: '⤓', search: '⌕', clear: '⊗', circle: '○',
};
const ICON_COLORS = { success: '#09bb07', success_no_circle: '#09bb07', info: '#10aeff', warn: '#f76260', waiting: '#10aeff', cancel: '#f43530', download: '#09bb07', search: '#b2b2b2', clear: '#b2b2b2', circle: '#c9c9c9' };

const NATIVE_LABELS = {
  map: '地图（原生组件，示意）',
  canvas: 'canvas（原生组件，示意）',
  video: '视频（原生组件，示意）',
  camera: '相机（原生组件，示意）',
  'live-player': '直播（原生组件，示意）',
  'live-pusher': '推流（原生组件，示意）',
  'web-view': 'web-view（示意）',
  ad: '广告（示意）',
  'official-account': '公众号关注组件（示意）',
  'open-data': '',
  editor: '富文本编辑器（示意）',
};

function attrsOf(node) {
  const attrs = {};
  (node.attrs || []).forEach(({ name, value }) => {
    attrs[name] = value;
  });
  return attrs;
}

function truthy(value) {
  return value === true || value === 'true' || value === '';
}

function isTrue(attrs, name) {
  return Object.prototype.hasOwnProperty.call(attrs, name) && truthy(attrs[name]);
}

function renderAttrs(list) {
  return list
    .filter(([, value]) => value !== null && value !== undefined && value !== false)
    .map(([name, value]) => (value === true ? ` ${name}` : ` ${name}="${escapeAttr(value)}"`))
    .join('');
}

/**
 * Render context: scope {prefix, shared, components: {tag: componentPath}},
 * plus collectors shared by the whole page (usedComponents, placeholderClasses).
 */
function classesIn(scope, className) {
  const names = String(className || '').split(/\s+/).filter(Boolean);
  if (!scope.prefix) {
    return names.join(' ');
  }
  const prefixed = names.map((name) => `${scope.prefix}--${name}`);
  // apply-shared / shared: the page's and app.wxss's classes reach inside too.
  return (scope.shared ? names.concat(prefixed) : prefixed).join(' ');
}

function commonAttrs(wxTag, attrs, scope) {
  const list = [['data-wx-tag', wxTag]];
  if (attrs.id) list.push(['id', attrs.id]);
  const classes = classesIn(scope, attrs.class);
  if (classes) list.push(['class', classes]);
  if (attrs.style) list.push(['style', convertValue(String(attrs.style))]);
  if (isTrue(attrs, 'hidden')) list.push(['hidden', true]);
  return list;
}

function imageSrc(src) {
  const value = String(src || '');
  if (/^(data:|https:\/\/)/.test(value) && !/^https?:\/\/tmp\//.test(value)) {
    return value;
  }
  return PHOTO_PLACEHOLDER;
}

function renderNode(node, ctx, scope) {
  if (typeof node === 'string' || typeof node === 'number') {
    return escapeText(node);
  }
  if (!node || !node.tagName) {
    return '';
  }
  const { tagName } = node;
  const attrs = attrsOf(node);
  const children = () => (node.children || []).map((child) => renderNode(child, ctx, scope)).join('');

  if (!tagName.startsWith('wx-') && scope.components[tagName]) {
    return renderComponent(node, attrs, ctx, scope);
  }
  const wxTag = tagName.startsWith('wx-') ? tagName.slice(3) : tagName;
  const common = commonAttrs(wxTag, attrs, scope);
  const html = htmlTagOf(wxTag);

  switch (wxTag) {
    case 'text':
      return `<span${renderAttrs(common)}>${children()}</span>`;
    case 'button': {
      const list = common.concat([
        ['type', 'button'],
        ['data-type', attrs.type && attrs.type !== 'default' ? attrs.type : null],
        ['data-size', attrs.size === 'mini' ? 'mini' : null],
        ['data-plain', isTrue(attrs, 'plain') ? true : null],
        ['disabled', isTrue(attrs, 'disabled') ? true : null],
        ['data-loading', isTrue(attrs, 'loading') ? true : null],
      ]);
      const spinner = isTrue(attrs, 'loading') ? '<i class="wx-loading"></i>' : '';
      return `<button${renderAttrs(list)}>${spinner}${children()}</button>`;
    }
    case 'input': {
      const placeholderClass = attrs.placeholderClass ? classesIn(scope, attrs.placeholderClass) : '';
      String(attrs.placeholderClass || '').split(/\s+/).filter(Boolean).forEach((name) => ctx.placeholderClasses.add(name));
      const list = common.concat([
        ['type', attrs.password === true || attrs.type === 'safe-password' ? 'password' : 'text'],
        ['value', attrs.value === undefined || attrs.value === null ? '' : String(attrs.value)],
        ['placeholder', attrs.placeholder || null],
        ['data-wx-placeholder-class', placeholderClass || null],
        ['disabled', isTrue(attrs, 'disabled') ? true : null],
      ]);
      return `<input${renderAttrs(list)}>`;
    }
    case 'textarea': {
      const placeholderClass = attrs.placeholderClass ? classesIn(scope, attrs.placeholderClass) : '';
      String(attrs.placeholderClass || '').split(/\s+/).filter(Boolean).forEach((name) => ctx.placeholderClasses.add(name));
      const list = common.concat([
        ['placeholder', attrs.placeholder || null],
        ['data-wx-placeholder-class', placeholderClass || null],
        ['data-auto-height', isTrue(attrs, 'autoHeight') ? true : null],
        ['disabled', isTrue(attrs, 'disabled') ? true : null],
      ]);
      return `<textarea${renderAttrs(list)}>${escapeText(attrs.value || '')}</textarea>`;
    }
    case 'image':
    case 'cover-image': {
      const list = common.concat([
        ['src', imageSrc(attrs.src)],
        ['data-mode', attrs.mode || 'scaleToFill'],
        ['alt', ''],
      ]);
      return `<img${renderAttrs(list)}>`;
    }
    case 'scroll-view': {
      const list = common.concat([
        ['data-scroll-y', isTrue(attrs, 'scrollY') ? true : null],
        ['data-scroll-x', isTrue(attrs, 'scrollX') ? true : null],
      ]);
      return `<div${renderAttrs(list)}>${children()}</div>`;
    }
    case 'switch': {
      if (attrs.type === 'checkbox') {
        return renderCheck('checkbox', common, attrs, children());
      }
      const list = common.concat([
        ['data-checked', isTrue(attrs, 'checked') ? true : null],
        ['data-disabled', isTrue(attrs, 'disabled') ? true : null],
        ['style', attrs.color ? `--wx-switch-color: ${attrs.color}` : null],
      ]);
      return `<span${renderAttrs(mergeStyle(list))}></span>`;
    }
    case 'checkbox':
    case 'radio':
      return renderCheck(wxTag, common, attrs, children());
    case 'icon': {
      const size = attrs.size ? `font-size: ${/^\d+(\.\d+)?$/.test(String(attrs.size)) ? `${attrs.size}px` : convertValue(String(attrs.size))}` : '';
      const color = `color: ${attrs.color || ICON_COLORS[attrs.type] || '#888888'}`;
      const list = common.concat([['data-type', attrs.type || null], ['style', [size, color].filter(Boolean).join('; ')]]);
      return `<span${renderAttrs(mergeStyle(list))}>${ICON_GLYPHS[attrs.type] || '●'}</span>`;
    }
    case 'progress': {
      const percent = Math.max(0, Math.min(100, Number(attrs.percent) || 0));
      const info = isTrue(attrs, 'showInfo') ? `<span style="margin-left: 8px">${percent}%</span>` : '';
      return `<div${renderAttrs(common)}><div class="wx-progress-track"><div class="wx-progress-bar" style="width: ${percent}%"></div></div>${info}</div>`;
    }
    case 'rich-text': {
      const nodes = typeof attrs.nodes === 'string' ? attrs.nodes : '';
      return `<div${renderAttrs(common)}>${nodes}</div>`;
    }
    default:
      break;
  }
  if (Object.prototype.hasOwnProperty.call(NATIVE_LABELS, wxTag)) {
    const label = NATIVE_LABELS[wxTag];
    const list = common.concat([['data-native', true]]);
    list[list.findIndex(([name]) => name === 'class')] = undefined;
    const klass = ['wx-native', classesIn(scope, attrs.class)].filter(Boolean).join(' ');
    return `<div${renderAttrs(list.filter(Boolean).concat([['class', klass]]))}>${label ? `<span class="wx-native-label">${escapeText(label)}</span>` : ''}${children()}</div>`;
  }
  return `<${html}${renderAttrs(common)}>${children()}</${html}>`;
}

function mergeStyle(list) {
  const styles = list.filter(([name, value]) => name === 'style' && value).map(([, value]) => value);
  const rest = list.filter(([name]) => name !== 'style');
  return styles.length ? rest.concat([['style', styles.join('; ')]]) : rest;
}

function renderCheck(wxTag, common, attrs, inner) {
  const checked = isTrue(attrs, 'checked');
  const list = common.concat([['data-checked', checked ? true : null], ['data-disabled', isTrue(attrs, 'disabled') ? true : null]]);
  return `<span${renderAttrs(list)}><i class="wx-check-box">${checked ? '✓' : ''}</i>${inner}</span>`;
}

/** A custom component: a `wx-<tag>` host (inline, as in WeChat) around its own scope. */
function renderComponent(node, attrs, ctx, scope) {
  const componentPath = scope.components[node.tagName];
  const info = ctx.describeComponent(componentPath, node.tagName);
  ctx.usedComponents.set(componentPath, info);
  const inner = {
    prefix: info.prefix,
    shared: info.isolation !== 'isolated',
    components: info.components,
  };
  const list = [['data-wx-component', node.tagName]];
  if (attrs.id) list.push(['id', attrs.id]);
  const classes = classesIn(scope, attrs.class);
  if (classes) list.push(['class', classes]);
  if (attrs.style) list.push(['style', convertValue(String(attrs.style))]);
  const body = (node.children || []).map((child) => renderNode(child, ctx, inner)).join('');
  return `<${info.hostTag}${renderAttrs(list)}>${body}</${info.hostTag}>`;
}

/**
 * The page's tree as HTML. pageComponents maps the page's usingComponents
 * tags to component paths; describeComponent(path, tag) gives
 * {prefix, hostTag, isolation, components} for one.
 * Returns {html, usedComponents, placeholderClasses}.
 */
function treeToHtml(tree, { pageComponents, describeComponent }) {
  const ctx = { describeComponent, usedComponents: new Map(), placeholderClasses: new Set() };
  const scope = { prefix: '', shared: true, components: pageComponents };
  const html = (tree.children || []).map((child) => renderNode(child, ctx, scope)).join('');
  return { html, usedComponents: ctx.usedComponents, placeholderClasses: ctx.placeholderClasses };
}

/** The component path a usingComponents entry points at. */
function resolveComponent(rootPath, fromFile, target) {
  return target.startsWith('/')
    ? path.join(rootPath, target)
    : path.join(path.dirname(fromFile), target);
}

module.exports = {
  escapeText,
  escapeAttr,
  treeToHtml,
  resolveComponent,
};
