/**
 * Render every mini-program page that has samples to a PNG, one per sample
 * variant: node scripts/render-pages/render.js [page-glob]
 *
 * Writes var/screens/<page-path-with-dashes>--<variant>.png (and the .html
 * it was shot from under var/screens/html/) and prints the list.
 */

const fs = require('fs');
const path = require('path');
const { buildPageHtml, plannedRenders } = require('./build');
const { REPO_ROOT } = require('./run-page');
const { SCREEN_HEIGHT, SCREEN_WIDTH } = require('./wxss');

const OUT_DIR = path.join(REPO_ROOT, 'var', 'screens');
const HTML_DIR = path.join(OUT_DIR, 'html');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function main() {
  const glob = process.argv[2] || '';
  const { renders, withoutSamples } = plannedRenders(glob);
  if (renders.length === 0) {
    console.error(`no page with samples matches ${glob || '(all pages)'}`);
    process.exit(1);
  }
  fs.mkdirSync(HTML_DIR, { recursive: true });

  // Build all HTML first: the simulated pages need no browser.
  const built = [];
  for (const render of renders) {
    const page = await buildPageHtml(render.pagePath, render.variant, { isHome: render.isHome });
    const htmlFile = path.join(HTML_DIR, `${render.name}.html`);
    fs.writeFileSync(htmlFile, page.html);
    built.push({ render, htmlFile });
  }

  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'render-pages-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: SCREEN_WIDTH, height: SCREEN_HEIGHT },
    deviceScaleFactor: 2,
    isMobile: false,
    locale: 'zh-CN',
    offline: true,
  });
  const written = [];
  try {
    const tab = await context.newPage();
    for (const { render, htmlFile } of built) {
      await tab.goto(`file://${htmlFile}`, { waitUntil: 'load' });
      await tab.evaluate(() => document.fonts.ready);
      const pngFile = path.join(OUT_DIR, `${render.name}.png`);
      await tab.screenshot({ path: pngFile, fullPage: render.variant.screen !== 'first' });
      written.push(pngFile);
    }
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }

  written.forEach((file) => console.log(path.relative(REPO_ROOT, file)));
  if (withoutSamples.length) {
    console.log(`no samples yet (add scripts/render-pages/samples/<page>.json): ${withoutSamples.join(', ')}`);
  }
  // Timers the simulated pages left behind must not keep node alive.
  process.exit(0);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
