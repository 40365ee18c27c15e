// The lint rules every workspace shares, and the import boundaries between them. The root config
// (core, local, functions) and web/eslint.config.mjs both build on this file.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Rules for all TypeScript, sources and tests. */
export const baseRules = {
  "@typescript-eslint/no-floating-promises": "error",
  "@typescript-eslint/no-explicit-any": "error",
  "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
  "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
  "@typescript-eslint/require-await": "off",
  "@typescript-eslint/no-empty-function": "off",
};

/** Tests may assert non-null and poke at loosely typed payloads. */
export const testRules = {
  "@typescript-eslint/no-non-null-assertion": "off",
  "@typescript-eslint/unbound-method": "off",
  "@typescript-eslint/no-unsafe-assignment": "off",
  "@typescript-eslint/no-unsafe-member-access": "off",
};

/** The recommended, type-checked set every config starts from. */
export const recommended = [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked];

const FIREBASE = ["firebase", "firebase/*", "firebase-admin", "firebase-admin/*", "firebase-functions", "firebase-functions/*", "@google-cloud/*"];
const hostImports = (host) => [`@flowcraft/${host}`, `@flowcraft/${host}/*`, `**/${host}/src`, `**/${host}/src/**`];

/** `no-restricted-imports` for one workspace: each entry is a set of import patterns and why. */
function restrict(...groups) {
  return { "@typescript-eslint/no-restricted-imports": ["error", { patterns: groups.map(([group, message]) => ({ group, message })) }] };
}

/** Core's fakes and conformance suites: `@flowcraft/core/testing`, or core/src/testing by path. */
const TESTING = ["@flowcraft/core/testing", "@flowcraft/core/testing/*", "**/testing", "**/testing/**", "**/core/src/testing", "**/core/src/testing/**"];
const NO_TESTING = [TESTING, "production code does not import the fakes or conformance suites (@flowcraft/core/testing): tests, benches and the simulator may"];

const CORE = [
  [FIREBASE, "core runs on every host: it imports no Firebase package (Firebase adapters live in functions/src)"],
  [[...hostImports("local"), ...hostImports("functions"), ...hostImports("web")], "core imports no host: hosts import core, never the other way"],
];
const LOCAL = [
  [FIREBASE, "the local host runs without a cloud account: no Firebase package"],
  [[...hostImports("functions"), ...hostImports("web")], "hosts never import each other: share code through core"],
];
const FUNCTIONS = [[[...hostImports("local"), ...hostImports("web")], "hosts never import each other: share code through core"]];

/**
 * The boundaries (see the README's "Layout"): core runs on every host, so it imports no Firebase
 * package and no host; the hosts never import each other; the web app imports only core's
 * browser-safe modules (`webCoreModules`), and type-only imports of anything else in core.
 * `coreProduction`, `localProduction` and `functionsProduction` add, for the code that ships
 * (core/src but its testing/ and sim/ folders, local/src, functions/src), that it never imports
 * `@flowcraft/core/testing`. A later config block replaces an earlier one's options for a file, so
 * each production set repeats its workspace's groups.
 */
export const boundaries = {
  core: restrict(...CORE),
  coreProduction: restrict(...CORE, NO_TESTING),
  local: restrict(...LOCAL),
  localProduction: restrict(...LOCAL, NO_TESTING),
  functions: restrict(...FUNCTIONS),
  functionsProduction: restrict(...FUNCTIONS, NO_TESTING),
};

/** The files `boundaries.*Production` apply to (eslint.config.mjs): what ships, not its tests or the simulator. */
export const productionFiles = {
  core: { files: ["core/src/**/*.ts"], ignores: ["core/src/testing/**", "core/src/sim/**"] },
  local: { files: ["local/src/**/*.ts"] },
  functions: { files: ["functions/src/**/*.ts"] },
};

/** The core modules (and folders, with a trailing slash) the web app may import at run time: pure code, no Node built-ins. */
export const webCoreModules = [
  "errors",
  "batch/model",
  // The job status predicates (buttons, labels, when to stop watching); depends only on the model.
  "batch/statuses",
  "batch/limits",
  "batch/export-records",
  "batch/export-query",
  "batch/export-media",
  "csv/",
  "flow/",
  "governor/port",
  "governor/settings",
  "governor/format-usd",
  // Pure (zod and type imports only): the run dialog's economy check and the layer panel's schema and layers.
  "economy/economy-mode",
  "economy/economy-progress",
  "economy/layer-plan",
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const allowed = webCoreModules.map((m) => (m.endsWith("/") ? `${escape(m)}[^/]+$` : `${escape(m)}$`)).join("|");

export const webBoundaries = {
  "@typescript-eslint/no-restricted-imports": [
    "error",
    {
      patterns: [
        {
          regex: `^@core/(?!(?:${allowed}))`,
          allowTypeImports: true,
          message:
            "the web app imports only core's browser-safe modules (webCoreModules in eslint.base.mjs); other core modules may be imported for types only",
        },
        {
          group: ["@core/testing", "@core/testing/*", "@core/testing/**", "@flowcraft/core/testing"],
          allowTypeImports: true,
          message: "the web app never imports core's fakes or conformance suites (@flowcraft/core/testing) at run time",
        },
        {
          group: ["@flowcraft/*", "**/core/src", "**/core/src/**"],
          message: "the web app reaches core through the @core/* alias, never core's index or a relative path",
        },
        { group: [...hostImports("local"), ...hostImports("functions")], message: "the web app talks to the hosts over HTTP and callables, never by import" },
      ],
    },
  ],
};

/**
 * The web app's feature folders (every folder of web/src but app/) never import the app shell
 * (web/src/app: the root component and its routes): what a feature needs from the shell (the
 * backend context, the hash route, the flow document) lives in a non-app module or comes in as a
 * prop. Applies to web/src but app/ and main.tsx (web/eslint.config.mjs); repeats webBoundaries,
 * whose options it replaces for those files.
 */
const webPatterns = webBoundaries["@typescript-eslint/no-restricted-imports"][1].patterns;
export const webFeatureBoundaries = {
  "@typescript-eslint/no-restricted-imports": [
    "error",
    {
      patterns: [
        ...webPatterns,
        {
          regex: "^(?:\\.\\.?/)+app(?:/|$)",
          message: "feature folders do not import the app shell (web/src/app): move what they need out of app/ or pass it in",
        },
      ],
    },
  ],
};
