/** The 点餐 service menu, shaped for the menu page. */

const { get } = require('./request');

function hoursText(hours) {
  const value = Number(hours);
  return value > 0 ? `一般约 ${value} 小时` : '';
}

function toItemView(item, category) {
  return {
    id: item.id,
    code: item.code,
    name: item.name,
    description: item.description || '',
    field: item.field || '',
    hoursText: hoursText(item.typical_hours),
    categoryCode: category.code,
    categoryName: category.name,
  };
}

function toCategoryView(category) {
  return {
    code: category.code,
    name: category.name,
    description: category.description || '',
    icon: category.icon || '',
    items: (category.items || []).map((item) => toItemView(item, category)),
  };
}

/** The menu: {categories: [{code, name, description, icon, items: [...]}]}, empty categories left out. */
function fetchMenu() {
  return get('/menu').then((body) => ({
    categories: ((body && body.categories) || [])
      .map(toCategoryView)
      .filter((category) => category.items.length > 0),
  }));
}

module.exports = {
  fetchMenu,
};
