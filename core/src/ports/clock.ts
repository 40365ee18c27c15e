/** Time and identity are injected so the simulator can run the same code in virtual time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` (virtual ms under the simulator); rejects if `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Ids {
  /** A new unique id, `[A-Za-z0-9_-]`, about 20 chars. */
  newId(): string;
}
