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

/**
 * The boundaries (see the README's "Layout"): core runs on every host, so it imports no Firebase
 * package and no host; the hosts never import each other; the web app imports only core's
 * browser-safe modules (`webCoreModules`), and type-only imports of anything else in core.
 */
export const boundaries = {
  core: restrict(
    [FIREBASE, "core runs on every host: it imports no Firebase package (Firebase adapters live in functions/src)"],
    [[...hostImports("local"), ...hostImports("functions"), ...hostImports("web")], "core imports no host: hosts import core, never the other way"],
  ),
  local: restrict(
    [FIREBASE, "the local host runs without a cloud account: no Firebase package"],
    [[...hostImports("functions"), ...hostImports("web")], "hosts never import each other: share code through core"],
  ),
  functions: restrict([[...hostImports("local"), ...hostImports("web")], "hosts never import each other: share code through core"]),
};

/** The core modules (and folders, with a trailing slash) the web app may import at run time: pure code, no Node built-ins. */
export const webCoreModules = [
  "errors",
  "batch/model",
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
          message: "the web app imports only core's browser-safe modules (webCoreModules in eslint.base.mjs); other core modules may be imported for types only",
        },
        { group: ["@flowcraft/*", "**/core/src", "**/core/src/**"], message: "the web app reaches core through the @core/* alias, never core's index or a relative path" },
        { group: [...hostImports("local"), ...hostImports("functions")], message: "the web app talks to the hosts over HTTP and callables, never by import" },
      ],
    },
  ],
};
