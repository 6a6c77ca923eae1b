// A coloured pill with the order's status; colours come from services (view-ready).
Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    label: { type: String, value: '' },
    color: { type: String, value: '#3d4550' },
    background: { type: String, value: '#e8eaed' },
  },
});
