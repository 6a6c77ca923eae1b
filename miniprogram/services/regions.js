/** The region tree, walked one level at a time by the village picker. */

const { get } = require('./request');

const LEVELS = Object.freeze(['province', 'city', 'county', 'township', 'village']);

const LEVEL_LABELS = Object.freeze({
  province: '省',
  city: '市',
  county: '县（区）',
  township: '乡镇（街道）',
  village: '村（社区）',
});

function toRegionView(region) {
  return {
    code: region.code,
    name: region.name,
    level: region.level,
    levelLabel: LEVEL_LABELS[region.level] || '',
    isVillage: region.level === 'village',
    latitude: region.latitude === undefined ? null : region.latitude,
    longitude: region.longitude === undefined ? null : region.longitude,
  };
}

/** The regions directly under `parentCode` (the provinces when it is empty). */
function children(parentCode) {
  return get('/regions', parentCode ? { parent: parentCode } : {})
    .then((body) => ((body && body.items) || []).map(toRegionView));
}

/** One region with the names of its ancestors: {code, name, level, path, pathText}. */
function describe(code) {
  return get(`/regions/${code}`).then((region) => {
    const view = toRegionView(region);
    view.path = Array.isArray(region.path) ? region.path : [region.name];
    view.pathText = view.path.join(' ');
    return view;
  });
}

/** '请选择乡镇（街道）' for the level below `level` (the provinces for none). */
function promptBelow(level) {
  const next = LEVELS[LEVELS.indexOf(level) + 1] || LEVELS[0];
  return `请选择${LEVEL_LABELS[next]}`;
}

module.exports = {
  LEVELS,
  LEVEL_LABELS,
  children,
  describe,
  promptBelow,
};
