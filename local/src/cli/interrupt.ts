/**
 * Ctrl-C for `run` and `serve`. One keypress can arrive twice: the terminal signals the whole
 * foreground process group, and npm (`npx flowcraft-batch`) forwards its own copy to the child.
 * With a one-shot handler the copy met Node's default action, so the process died by the signal,
 * without its results file, and the two paths reported different exit codes. Here every SIGINT is
 * handled: the first starts the graceful stop, another within `sameKeypressMs` is taken as a copy
 * of it, a later one forces the exit. The exit code after Ctrl-C is 130 (128 + SIGINT), the shell
 * convention, whichever way the command was started.
 */
export const INTERRUPTED_EXIT_CODE = 130;

export interface InterruptOptions {
  /** The graceful stop (cancel the batch, close the server). */
  stop: () => void;
  /** A second, separate Ctrl-C: stop now. */
  force: () => void;
  sameKeypressMs?: number;
  now?: () => number;
}

export interface Interrupt {
  /** True once SIGINT arrived. */
  readonly interrupted: boolean;
  dispose(): void;
}

export function onInterrupt(opts: InterruptOptions): Interrupt {
  const now = opts.now ?? Date.now;
  const window = opts.sameKeypressMs ?? 1_000;
  let first: number | null = null;
  const handler = (): void => {
    if (first === null) {
      first = now();
      opts.stop();
    } else if (now() - first > window) opts.force();
  };
  process.on("SIGINT", handler);
  return {
    get interrupted() {
      return first !== null;
    },
    dispose: () => process.off("SIGINT", handler),
  };
}
