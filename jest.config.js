/** Jest runs only the mini-program tests; the backend has its own runner. */
module.exports = {
  // miniprogram-simulate renders components into a DOM.
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests/miniprogram'],
  testMatch: ['**/*.test.js'],
  clearMocks: true,
  restoreMocks: true,
  // Tests need no real waits; a hang means a promise was never settled.
  testTimeout: 10000,
};
