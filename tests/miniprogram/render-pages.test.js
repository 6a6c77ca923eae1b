/**
 * The browser-free half of scripts/render-pages: every page with samples
 * renders to HTML that shows its key text, with WXSS turned into CSS for a
 * 375-pt-wide phone. (The screenshots themselves are taken by
 * scripts/render-pages.sh, not here.)
 */

const build = require('../../scripts/render-pages/build');
const { loadVariants, hasSamples } = require('../../scripts/render-pages/samples');
const { convertWxss } = require('../../scripts/render-pages/wxss');

const PAGES_WITH_SAMPLES = build.listPages().filter(hasSamples);

// miniprogram-simulate runs a page's JS through require; under jest only a
// fresh module registry runs it again, so each render gets one.
function freshBuild() {
  jest.resetModules();
  return require('../../scripts/render-pages/build');
}

test('every page in app.json is listed, subpackage pages under their root', () => {
  const pages = build.listPages();
  expect(pages[0]).toBe('pages/home/index');
  expect(pages).toEqual(expect.arrayContaining([
    'pages/requester/menu/index',
    'pages/requester/order-form/index',
    'pages/requester/orders/index',
    'pages/requester/order-detail/index',
  ]));
});

test('a page glob picks pages by path', () => {
  const pages = build.listPages();
  expect(build.selectPages(pages, 'pages/requester/*/index')).not.toContain('pages/home/index');
  expect(build.selectPages(pages, 'order-form')).toEqual(['pages/requester/order-form/index']);
  expect(build.selectPages(pages, '')).toEqual(pages);
  expect(build.screenName('pages/requester/order-form/index', 'filled')).toBe('pages-requester-order-form-index--filled');
});

test('the pages that exist now all have samples', () => {
  expect(PAGES_WITH_SAMPLES).toEqual(expect.arrayContaining([
    'pages/home/index',
    'pages/requester/menu/index',
    'pages/requester/order-form/index',
    'pages/requester/orders/index',
    'pages/requester/order-detail/index',
  ]));
});

describe('WXSS to CSS', () => {
  test('rpx becomes px at 375 px wide, and vh the height below the navigation bar', () => {
    const css = convertWxss('.a { font-size: 36rpx; margin: 0 -24rpx 2rpx; height: 100vh; padding-bottom: env(safe-area-inset-bottom); }');
    expect(css).toContain('font-size: 18px;');
    expect(css).toContain('margin: 0 -12px 1px;');
    expect(css).toContain('height: 724px;');
    expect(css).toContain('padding-bottom: 34px;');
  });

  test('page and the WXML tag selectors point at the rendered elements; class names are not touched', () => {
    const css = convertWxss('page { color: red; } .list view, .text-muted > text { color: blue; } scroll-view { height: 1px; }');
    expect(css).toContain('div:where([data-wx-tag="page"]) {');
    expect(css).toContain('.list div:where([data-wx-tag="view"])');
    expect(css).toContain('.text-muted > span:where([data-wx-tag="text"])');
    expect(css).toContain('div:where([data-wx-tag="scroll-view"]) {');
  });

  test('a component scope prefixes its classes, maps :host and drops shadow-piercing selectors', () => {
    const css = convertWxss(':host { display: block; } .card .title { color: red; } .a >>> .b { color: blue; }', {
      prefix: 'state-view',
      hostTag: 'wx-state-view',
    });
    expect(css).toContain('wx-state-view {');
    expect(css).toContain('.state-view--card .state-view--title {');
    expect(css).not.toContain('>>>');
  });
});

describe.each(PAGES_WITH_SAMPLES)('%s', (pagePath) => {
  const variants = loadVariants(pagePath);

  test.each(variants.map((variant) => [variant.name, variant]))('renders the %s sample to HTML with its key text', async (name, variant) => {
    const page = await freshBuild().buildPageHtml(pagePath, variant);

    expect(variant.expectText.length).toBeGreaterThan(0);
    variant.expectText.forEach((text) => {
      expect(page.html).toContain(text);
    });
    // The page's own WXSS and app.wxss are in, with rpx converted.
    expect(page.html).toContain(`data-source="${pagePath}.wxss"`);
    expect(page.html).toContain('data-source="app.wxss"');
    expect(page.html).not.toMatch(/\d+rpx/);
    // app.wxss: `.btn { font-size: 36rpx }`.
    expect(page.html).toMatch(/\.btn \{[^}]*font-size: 18px;/);
    expect(page.html).toContain('data-wx-tag="page"');
  });
});

test('classes are kept, custom components get a host element, and apply-shared components see global classes', async () => {
  const [variant] = loadVariants('pages/requester/orders/index').filter((each) => each.name === 'default');
  const page = await freshBuild().buildPageHtml('pages/requester/orders/index', variant);

  expect(page.html).toMatch(/<div data-wx-tag="view" id="order-12" class="card order-card">/);
  expect(page.html).toMatch(/<wx-status-badge data-wx-component="status-badge">/);
  // status-badge uses styleIsolation apply-shared: its own prefixed class and the plain one.
  expect(page.html).toContain('class="status-badge status-badge--status-badge"');
  expect(page.html).toContain('.status-badge--status-badge {');
  expect(page.html).toContain('<span class="wx-nav-title">我的需求单</span>');
});
