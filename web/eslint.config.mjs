// Lint for the web app (the root config skips web/, which has its own tsconfig with DOM and JSX).
import tseslint from "typescript-eslint";
import { baseRules, recommended, testRules, webBoundaries, webFeatureBoundaries } from "../eslint.base.mjs";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "**/*.js", "**/*.mjs", "test/e2e/screenshots/**"] },
  ...recommended,
  {
    languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
    rules: baseRules,
  },
  { files: ["src/**/*.ts", "src/**/*.tsx"], rules: webBoundaries },
  { files: ["src/**/*.ts", "src/**/*.tsx"], ignores: ["src/app/**", "src/main.tsx"], rules: webFeatureBoundaries },
  { files: ["test/**/*.ts"], rules: testRules },
);
