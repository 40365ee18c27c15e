import tseslint from "typescript-eslint";
import { baseRules, boundaries, recommended, testRules } from "./eslint.base.mjs";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/lib/**", "**/*.js", "**/*.cjs", "**/*.mjs", "web/**"] },
  ...recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: baseRules,
  },
  { files: ["core/**/*.ts"], rules: boundaries.core },
  { files: ["local/**/*.ts"], rules: boundaries.local },
  { files: ["functions/**/*.ts"], rules: boundaries.functions },
  { files: ["**/test/**/*.ts"], rules: testRules },
);
