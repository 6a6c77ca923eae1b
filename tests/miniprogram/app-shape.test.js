const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..', 'miniprogram');

function readJson(relative) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, relative), 'utf8'));
}

function listFiles(dir, ext) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full, ext);
    return entry.name.endsWith(ext) ? [full] : [];
  });
}

const HAN = /[\u4e00-\u9fff]/;

test('app.json opens on the home page, loads code lazily and declares location use', () => {
  const app = readJson('app.json');

  expect(app.pages[0]).toBe('pages/home/index');
  expect(app.lazyCodeLoading).toBe('requiredComponents');
  expect(app.requiredPrivateInfos).toEqual(expect.arrayContaining(['getLocation', 'chooseLocation']));
  expect(app.permission['scope.userLocation'].desc).toMatch(HAN);
  // WeChat rejects a location purpose longer than 30 characters.
  expect(app.permission['scope.userLocation'].desc.length).toBeLessThanOrEqual(30);
});

test('every page in app.json has its js, json, wxml and wxss, and is a Component page', () => {
  for (const page of readJson('app.json').pages) {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) {
      expect(fs.existsSync(path.join(ROOT, `${page}.${ext}`))).toBe(true);
    }
    expect(readJson(`${page}.json`).usingComponents).toEqual(expect.any(Object));
  }
});

test('the project config uses the tourist appid and the sitemap exists', () => {
  expect(readJson('project.config.json').appid).toBe('touristappid');
  expect(readJson('sitemap.json').rules.length).toBeGreaterThan(0);
});

test('no style sets text smaller than 32rpx, for older eyes on small screens', () => {
  const sizes = listFiles(ROOT, '.wxss').flatMap((file) => {
    const css = fs.readFileSync(file, 'utf8');
    return [...css.matchAll(/font-size:\s*(\d+)(rpx|px)/g)].map((m) => ({
      file: path.relative(ROOT, file), value: Number(m[1]), unit: m[2],
    }));
  });

  expect(sizes.length).toBeGreaterThan(0);
  expect(sizes.filter((size) => size.unit !== 'rpx' || size.value < 32)).toEqual([]);
});

test('buttons are at least 88rpx tall', () => {
  const css = fs.readFileSync(path.join(ROOT, 'app.wxss'), 'utf8');
  const btnRule = css.match(/\.btn\s*\{([^}]*)\}/)[1];
  const minHeight = Number(btnRule.match(/min-height:\s*(\d+)rpx/)[1]);
  expect(minHeight).toBeGreaterThanOrEqual(88);
});
