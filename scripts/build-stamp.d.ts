/** Types of build-stamp.js (used by its tests and the browser-test harness). */
export interface BuildTarget {
  name: string;
  command: [string, string[]];
  /** Files or directories (walked, without node_modules and dist), relative to the root. */
  inputs: string[];
  /** Environment variables starting with one of these are part of the fingerprint. */
  envPrefixes: string[];
  outDir: string;
  /** Files that must exist for the build to count as present. */
  outputs: string[];
}
export const TARGETS: BuildTarget[];
export function listInputs(root: string, inputs: string[]): string[];
export function fingerprint(root: string, target: BuildTarget, env?: NodeJS.ProcessEnv): string;
export function isFresh(root: string, target: BuildTarget, print?: string): boolean;
export function clearStamp(root: string, target: BuildTarget): void;
export function writeStamp(root: string, target: BuildTarget, print: string): void;
export function buildStale(root: string, targets?: BuildTarget[], opts?: { force?: boolean; log?: (line: string) => void }): string[];
export function targetsNamed(names: string[]): BuildTarget[];
export class BuildFailed extends Error {
  readonly target: string;
  readonly status: number;
}
