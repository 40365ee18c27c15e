/**
 * The emulator tier (needs Java 21 and firebase-tools): run by `npm run test:emulators` inside
 * `firebase emulators:exec`, which sets FIRESTORE_EMULATOR_HOST, FIREBASE_AUTH_EMULATOR_HOST,
 * FIREBASE_STORAGE_EMULATOR_HOST and CLOUD_TASKS_EMULATOR_HOST. It runs the rules tests, the
 * end-to-end batch through the emulated functions, the Storage adapter conformance, and the
 * Firestore adapter conformance with every case (none skipped against the official emulator).
 */
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const tsJest = ["ts-jest", { tsconfig: { module: "commonjs", moduleResolution: "node10", isolatedModules: true }, diagnostics: false }];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: root,
  testEnvironment: "node",
  transform: { "^.+\\.tsx?$": tsJest },
  testMatch: ["<rootDir>/functions/test/emulators/**/*.test.ts", "<rootDir>/functions/test/firestore-store.test.ts"],
  moduleNameMapper: { "^@flowcraft/core$": "<rootDir>/core/src/index.ts" },
  testTimeout: 180000,
  maxWorkers: 1,
};
