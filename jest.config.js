/** One jest run over every workspace except the web app's browser tests (npm run test:e2e). */
const tsJest = ["ts-jest", { tsconfig: { module: "commonjs", moduleResolution: "node10", isolatedModules: true, jsx: "react-jsx" }, diagnostics: false }];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.tsx?$": tsJest },
  testMatch: ["<rootDir>/{core,local,functions,web}/test/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/", "/lib/", "<rootDir>/web/test/e2e/"],
  // `@core/*` is the web app's alias for pure core modules (web/tsconfig.json, vite.config.ts).
  moduleNameMapper: {
    "^@flowcraft/core$": "<rootDir>/core/src/index.ts",
    "^@flowcraft/core/testing$": "<rootDir>/core/src/testing/index.ts",
    "^@core/(.*)$": "<rootDir>/core/src/$1",
  },
  setupFiles: ["<rootDir>/jest.setup.js"],
  testTimeout: 60000,
};
