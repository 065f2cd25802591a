/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "ts-jest" },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.js"],
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/global-teardown.js",
  testTimeout: 60000,
};
