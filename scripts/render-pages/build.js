/**
 * The browser-free half of render-pages: the pages of app.json, and one
 * page + sample variant → a self-contained HTML document of the phone
 * screen (navigation bar, page, styles).
 */

const fs = require('fs');
const path = require('path');
const { runPage, readJson, MINIPROGRAM_ROOT } = require('./run-page');
const { loadVariants, hasSamples } = require('./samples');
const { convertFile } = require('./wxss');
const { escapeAttr, escapeText, resolveComponent, treeToHtml } = require('./to-html');

const BASE_CSS = path.join(__dirname, 'base.css');

/** Every page of app.json: `pages` plus each subpackage's pages under its root. */
function listPages(rootPath = MINIPROGRAM_ROOT) {
  const app = readJson(path.join(rootPath, 'app.json'));
  const pages = (app.pages || []).slice();
  (app.subPackages || app.subpackages || []).forEach((pkg) => {
    (pkg.pages || []).forEach((page) => pages.push(`${pkg.root.replace(/\/$/, '')}/${page}`));
  });
  return pages;
}

/** Shell-style glob (`*` within a segment, `**` across) → RegExp. */
function globToRegExp(glob) {
  let pattern = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      pattern += '.*';
      i += 1;
    } else if (c === '*') {
      pattern += '[^/]*';
    } else if (c === '?') {
      pattern += '[^/]';
    } else {
      pattern += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${pattern}$`);
}

/** The pages matching a glob (all when none is given); a bare word matches as a substring. */
function selectPages(pages, glob) {
  if (!glob) {
    return pages;
  }
  if (!/[*?/]/.test(glob)) {
    return pages.filter((page) => page.includes(glob));
  }
  const re = globToRegExp(glob);
  return pages.filter((page) => re.test(page));
}

/** pages/requester/order-form/index + filled → pages-requester-order-form-index--filled */
function screenName(pagePath, variantName) {
  return `${pagePath.replace(/\//g, '-')}--${variantName}`;
}

function componentsOf(jsonFile) {
  const using = readJson(jsonFile).usingComponents || {};
  const out = {};
  Object.keys(using).forEach((tag) => {
    out[tag] = resolveComponent(MINIPROGRAM_ROOT, jsonFile, using[tag]);
  });
  return out;
}

function makeDescribeComponent(componentOptions) {
  return (componentPath, tag) => {
    const json = readJson(`${componentPath}.json`);
    const options = componentOptions.get(componentPath) || {};
    let isolation = options.styleIsolation || json.styleIsolation || 'isolated';
    if (options.addGlobalClass && isolation === 'isolated') {
      isolation = 'apply-shared';
    }
    return {
      tag,
      path: componentPath,
      prefix: tag,
      hostTag: `wx-${tag}`,
      isolation,
      components: componentsOf(`${componentPath}.json`),
    };
  };
}

function navigationStyle(pageJson) {
  const window = readJson(path.join(MINIPROGRAM_ROOT, 'app.json')).window || {};
  const pick = (key, fallback) => (pageJson[key] !== undefined ? pageJson[key] : (window[key] !== undefined ? window[key] : fallback));
  const white = pick('navigationBarTextStyle', 'black') === 'white';
  return {
    background: pick('navigationBarBackgroundColor', '#000000'),
    color: white ? '#ffffff' : '#000000',
    capsuleBackground: white ? 'rgba(0, 0, 0, 0.15)' : 'rgba(255, 255, 255, 0.6)',
    capsuleBorder: white ? 'rgba(255, 255, 255, 0.25)' : 'rgba(0, 0, 0, 0.12)',
    windowBackground: pick('backgroundColor', '#ffffff'),
    custom: pick('navigationStyle', 'default') === 'custom',
  };
}

function styleBlock(label, css) {
  return css.trim() ? `<style data-source="${escapeAttr(label)}">\n${css}\n</style>` : '';
}

/**
 * Render one page with one sample variant. Returns {html, title, text,
 * toasts, variant} where text is the page's visible text (for tests).
 */
async function buildPageHtml(pagePath, variant, { isHome = false } = {}) {
  const result = await runPage(pagePath, variant);
  const pageFile = path.join(MINIPROGRAM_ROOT, pagePath);
  const pageJson = readJson(`${pageFile}.json`);
  const rendered = treeToHtml(result.tree, {
    pageComponents: componentsOf(`${pageFile}.json`),
    describeComponent: makeDescribeComponent(result.componentOptions),
  });
  const placeholderClasses = rendered.placeholderClasses;

  const styles = [styleBlock('base.css', fs.readFileSync(BASE_CSS, 'utf8'))];
  styles.push(styleBlock('app.wxss', convertFile(path.join(MINIPROGRAM_ROOT, 'app.wxss'), { placeholderClasses })));
  rendered.usedComponents.forEach((info) => {
    const file = `${info.path}.wxss`;
    const label = path.relative(MINIPROGRAM_ROOT, file);
    styles.push(styleBlock(label, convertFile(file, { prefix: info.prefix, hostTag: info.hostTag, placeholderClasses })));
    if (info.isolation === 'shared') {
      styles.push(styleBlock(`${label} (shared)`, convertFile(file, { placeholderClasses })));
    }
  });
  styles.push(styleBlock(`${pagePath}.wxss`, convertFile(`${pageFile}.wxss`, { placeholderClasses })));

  const nav = navigationStyle(pageJson);
  const title = result.title || '';
  const bars = nav.custom ? '' : [
    '<div class="wx-status-bar"><span>9:41</span><span>▂▄▆ 4G ▮▮▮▯</span></div>',
    '<div class="wx-nav-bar">',
    isHome ? '' : '<span class="wx-nav-back">‹</span>',
    `<span class="wx-nav-title">${escapeText(title)}</span>`,
    '<span class="wx-capsule"><span>•••</span><span>◎</span></span>',
    '</div>',
  ].join('');
  const toast = result.toasts.length ? result.toasts[result.toasts.length - 1] : null;
  const toastHtml = toast
    ? `<div class="wx-toast"${toast.icon && toast.icon !== 'none' ? ` data-icon="${escapeAttr(toast.icon)}"` : ''}>${escapeText(toast.title || '')}</div>`
    : '';
  const vars = [
    `--wx-nav-background: ${nav.background}`,
    `--wx-nav-color: ${nav.color}`,
    `--wx-capsule-background: ${nav.capsuleBackground}`,
    `--wx-capsule-border: ${nav.capsuleBorder}`,
    `--wx-window-background: ${nav.windowBackground}`,
  ].join('; ');

  const html = [
    '<!doctype html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=375, initial-scale=1">',
    `<title>${escapeText(`${pagePath} — ${variant.name}`)}</title>`,
    styles.filter(Boolean).join('\n'),
    '</head>',
    `<body style="${escapeAttr(vars)}">`,
    '<div class="wx-phone">',
    bars,
    `<div class="wx-window" data-screen="${escapeAttr(variant.screen)}">`,
    `<div data-wx-tag="page" data-page="${escapeAttr(pagePath)}">${rendered.html}</div>`,
    '</div>',
    toastHtml,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');

  const text = rendered.html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return { html, title, text, toasts: result.toasts, variant };
}

/** Every (page, variant) that has samples, for the pages matching `glob`. */
function plannedRenders(glob) {
  const pages = listPages();
  const selected = selectPages(pages, glob);
  const withSamples = selected.filter(hasSamples);
  const withoutSamples = selected.filter((page) => !hasSamples(page));
  const renders = [];
  withSamples.forEach((pagePath) => {
    loadVariants(pagePath).forEach((variant) => {
      renders.push({ pagePath, variant, name: screenName(pagePath, variant.name), isHome: pagePath === pages[0] });
    });
  });
  return { renders, withoutSamples };
}

module.exports = {
  listPages,
  selectPages,
  screenName,
  buildPageHtml,
  plannedRenders,
};
