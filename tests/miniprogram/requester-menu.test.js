const simulate = require('miniprogram-simulate');
const { apiError } = require('./helpers/wx-mock');
const { renderPage, textOf, waitFor } = require('./helpers/miniprogram');
const { installLoggedInWx, mockWx, tap } = require('./helpers/page');

const MENU = 'pages/requester/menu/index';
const FORM = 'pages/requester/order-form/index';

const MENU_BODY = {
  categories: [
    {
      code: 'planting',
      name: '种植技术',
      description: '粮食、果树、蔬菜',
      icon: 'leaf',
      items: [
        { id: 1, code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', description: '叶子发黄、长虫、烂果', field: 'agriculture', typical_hours: 4 },
        { id: 2, code: 'rice_seedling_guidance', name: '水稻育秧指导', description: '', field: 'agriculture', typical_hours: 3 },
      ],
    },
    {
      code: 'livestock',
      name: '畜牧兽医',
      description: '',
      icon: '',
      items: [
        { id: 3, code: 'pig_disease', name: '生猪疫病防治', description: '', field: 'veterinary', typical_hours: 4 },
      ],
    },
    { code: 'empty', name: '空分类', description: '', icon: '', items: [] },
  ],
};

let mock;

beforeEach(() => {
  jest.resetModules();
  mock = installLoggedInWx();
  mockWx('navigateTo');
});

test('the menu shows categories on the left and the first category as big cards with 点这个', async () => {
  mock.route('GET', '/menu', { statusCode: 200, data: MENU_BODY });

  const page = renderPage(simulate, MENU);
  expect(textOf(page)).toContain('正在加载服务菜单…');

  await waitFor(() => expect(textOf(page)).toContain('果树病虫害诊断'));
  expect(page.querySelector('#cat-planting').dom.textContent).toBe('种植技术');
  expect(page.querySelector('#cat-livestock').dom.textContent).toBe('畜牧兽医');
  // A category with nothing to order would be a dead end.
  expect(page.querySelector('#cat-empty')).toBeFalsy();
  expect(page.querySelector('#pick-fruit_tree_pest_diagnosis').dom.textContent).toBe('点这个');
  expect(textOf(page)).toContain('一般约 4 小时');
  expect(textOf(page)).not.toContain('生猪疫病防治');

  tap(page, '#cat-livestock');
  await simulate.sleep(0);

  expect(textOf(page)).toContain('生猪疫病防治');
  expect(textOf(page)).not.toContain('果树病虫害诊断');
});

test('picking items counts them in the bottom bar, keeps them in the draft, and 去下单 opens the form', async () => {
  mock.route('GET', '/menu', { statusCode: 200, data: MENU_BODY });
  const page = renderPage(simulate, MENU);
  await waitFor(() => expect(textOf(page)).toContain('果树病虫害诊断'));
  expect(page.querySelector('#selected-count').dom.textContent).toBe('0');

  tap(page, '#pick-fruit_tree_pest_diagnosis');
  await simulate.sleep(0);
  tap(page, '#cat-livestock');
  await simulate.sleep(0);
  tap(page, '#pick-pig_disease');
  await simulate.sleep(0);

  expect(page.querySelector('#selected-count').dom.textContent).toBe('2');
  expect(page.querySelector('#pick-pig_disease').dom.textContent).toBe('✓ 已选（再点取消）');
  expect(mock.store.get('requester.orderDraft').items).toEqual([
    { code: 'fruit_tree_pest_diagnosis', name: '果树病虫害诊断', categoryName: '种植技术' },
    { code: 'pig_disease', name: '生猪疫病防治', categoryName: '畜牧兽医' },
  ]);

  tap(page, '#go-order');
  await simulate.sleep(0);
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: `/${FORM}` });
});

test('tapping a picked item again takes it out', async () => {
  mock.route('GET', '/menu', { statusCode: 200, data: MENU_BODY });
  const page = renderPage(simulate, MENU);
  await waitFor(() => expect(textOf(page)).toContain('果树病虫害诊断'));

  tap(page, '#pick-fruit_tree_pest_diagnosis');
  await simulate.sleep(0);
  tap(page, '#pick-fruit_tree_pest_diagnosis');
  await simulate.sleep(0);

  expect(page.querySelector('#selected-count').dom.textContent).toBe('0');
  expect(mock.store.get('requester.orderDraft').items).toEqual([]);
  tap(page, '#go-order');
  await simulate.sleep(0);
  expect(wx.navigateTo).not.toHaveBeenCalled();
  expect(mock.toasts.map((toast) => toast.title)).toEqual(['请先点选要请专家做的事']);
});

test('items picked earlier are still picked when the menu opens again', async () => {
  mock.route('GET', '/menu', { statusCode: 200, data: MENU_BODY });
  mock.store.set('requester.orderDraft', {
    version: 1,
    items: [{ code: 'rice_seedling_guidance', name: '水稻育秧指导', categoryName: '种植技术' }],
    form: { description: '秧苗发黄' },
  });

  const page = renderPage(simulate, MENU);
  await waitFor(() => expect(textOf(page)).toContain('水稻育秧指导'));

  expect(page.querySelector('#selected-count').dom.textContent).toBe('1');
  expect(page.querySelector('#pick-rice_seedling_guidance').dom.textContent).toBe('✓ 已选（再点取消）');
  tap(page, '#pick-fruit_tree_pest_diagnosis');
  await simulate.sleep(0);
  // Picking keeps what else the person already wrote in the draft.
  expect(mock.store.get('requester.orderDraft').form).toEqual({ description: '秧苗发黄' });
});

test('a menu that fails to load says why and 重试 loads it', async () => {
  mock.route('GET', '/menu', (req, nthCall) => (nthCall === 1
    ? { fail: 'request:fail timeout' }
    : { statusCode: 200, data: MENU_BODY }));

  const page = renderPage(simulate, MENU);

  await waitFor(() => expect(textOf(page)).toContain('网络不稳定，请检查网络后重试'));
  expect(textOf(page)).toContain('重试');

  page.querySelector('#menu-state').querySelector('.state-retry').dispatchEvent('tap');

  await waitFor(() => expect(textOf(page)).toContain('果树病虫害诊断'));
  expect(mock.requestsTo('/menu')).toHaveLength(2);
});

test('no more than five items can be picked', async () => {
  const many = {
    categories: [{
      code: 'c',
      name: '种植技术',
      items: [1, 2, 3, 4, 5, 6].map((n) => ({ id: n, code: `item_${n}`, name: `项目${n}`, typical_hours: 1 })),
    }],
  };
  mock.route('GET', '/menu', { statusCode: 200, data: many });
  const page = renderPage(simulate, MENU);
  await waitFor(() => expect(textOf(page)).toContain('项目6'));

  for (const n of [1, 2, 3, 4, 5, 6]) {
    tap(page, `#pick-item_${n}`);
    await simulate.sleep(0);
  }

  expect(page.querySelector('#selected-count').dom.textContent).toBe('5');
  expect(mock.toasts.map((toast) => toast.title)).toEqual(['一次最多选 5 项']);
});

test('an error from the server in English is still shown in Chinese', async () => {
  mock.route('GET', '/menu', { statusCode: 500, data: apiError('internal', 'Internal Server Error') });
  const page = renderPage(simulate, MENU);
  await waitFor(() => expect(textOf(page)).toContain('服务暂时不可用，请稍后重试'));
});
