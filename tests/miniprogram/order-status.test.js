const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const FLOW = fs.readFileSync(path.join(ROOT, 'backend', 'domain', 'order_flow.py'), 'utf8');
const { ORDER_STATUS, STATUS_LABELS, STATUS_STYLES, statusLabel, statusStyle } = require(
  path.join(ROOT, 'miniprogram', 'constants', 'order-status'),
);

/** The indented lines of a top-level Python block that starts with `header`. */
function blockAfter(header) {
  const start = FLOW.indexOf(header);
  if (start < 0) {
    throw new Error(`backend/domain/order_flow.py has no "${header}"`);
  }
  const body = FLOW.slice(start + header.length);
  const end = body.search(/\n\S/);
  return end < 0 ? body : body.slice(0, end);
}

function backendStatuses() {
  const block = blockAfter('class OrderStatus(StrEnum):');
  return Object.fromEntries([...block.matchAll(/^\s+([A-Z_]+)\s*=\s*"([a-z_]+)"/gm)].map((m) => [m[1], m[2]]));
}

function backendLabels() {
  const statuses = backendStatuses();
  const block = blockAfter('STATUS_LABELS = {');
  return Object.fromEntries([...block.matchAll(/OrderStatus\.([A-Z_]+)\s*:\s*"([^"]+)"/g)]
    .map((m) => [statuses[m[1]], m[2]]));
}

test('the regexes find the backend\'s statuses and labels at all', () => {
  expect(Object.keys(backendStatuses()).length).toBeGreaterThanOrEqual(10);
  expect(Object.keys(backendLabels())).toHaveLength(Object.keys(backendStatuses()).length);
});

test('the mini-program\'s status names and values equal the backend\'s OrderStatus', () => {
  expect(ORDER_STATUS).toEqual(backendStatuses());
});

test('the mini-program\'s Chinese labels equal the backend\'s STATUS_LABELS', () => {
  expect(STATUS_LABELS).toEqual(backendLabels());
});

test('every status has a badge colour, and an unknown one still gets a label and a colour', () => {
  for (const status of Object.values(ORDER_STATUS)) {
    expect(STATUS_STYLES[status]).toEqual({ color: expect.stringMatching(/^#/), background: expect.stringMatching(/^#/) });
  }
  expect(statusLabel('returned')).toBe('退回补充');
  expect(statusLabel('something_new')).toBe('处理中');
  expect(statusStyle('something_new')).toEqual(STATUS_STYLES.closed);
});
