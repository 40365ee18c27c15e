import tseslint from "typescript-eslint";
import { baseRules, boundaries, productionFiles, recommended, testRules } from "./eslint.base.mjs";

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
  { ...productionFiles.core, rules: boundaries.coreProduction },
  { ...productionFiles.local, rules: boundaries.localProduction },
  { ...productionFiles.functions, rules: boundaries.functionsProduction },
  { files: ["**/test/**/*.ts"], rules: testRules },
);
