/**
 * The local host's governor: one per process, shared by every batch. Decisions are the in-memory
 * governor's (synchronous, so no two rows take the last slot), and its shared state is kept in
 * SQLite so a restart resumes where it stopped: the runtime limit overrides, each model's adaptive
 * rate, Retry-After deadline, rate reservations and daily count. Concurrency slots are not stored:
 * they belong to calls of this process, which a restart ends anyway.
 *
 * Writes: limit changes and 429s are written at once; other state changes at most once per
 * `flushMs` (default 1 s), which is all a restart needs (losing the last second of reservations
 * only lets the next second start a little early, and the adaptive back-off absorbs that).
 */
import {
  LimitsTable,
  MemoryGovernor,
  ModelState,
  governorSettings,
  mergeLimits,
  overridesAfter,
  type CallReport,
  type GovernorSettings,
  type LimitsUpdate,
  type Clock,
  type Governor,
  type ModelLimits,
  type ModelStatus,
  type Permit,
  type PermitAnswer,
  type PermitRequest,
  type StateOptions,
} from "@flowcraft/core";
import type { BeforeWrite } from "./group-commit";
import type { Db } from "./open-db";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS governor_limits (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  overrides TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS governor_models (
  model TEXT PRIMARY KEY,
  state TEXT NOT NULL
) WITHOUT ROWID;
`;

export interface SqliteGovernorOptions {
  db: Db;
  beforeWrite: BeforeWrite;
  clock: Clock;
  /** Base limits (e.g. the Gemini defaults for the gemini provider). */
  defaults: LimitsTable;
  /** Given at start (flags): layered over what was persisted, and persisted themselves. */
  overrides?: LimitsTable;
  flushMs?: number;
  stateOptions?: Partial<StateOptions>;
}

export class SqliteGovernor implements Governor {
  private readonly inner: MemoryGovernor;
  private readonly dirty = new Map<string, ModelState>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly o: SqliteGovernorOptions) {
    o.db.exec(SCHEMA);
    const persisted = loadOverrides(o.db);
    const overrides = mergeLimits(persisted, o.overrides);
    this.inner = new MemoryGovernor({
      clock: o.clock,
      defaults: o.defaults,
      overrides,
      states: loadStates(o.db),
      ...(o.stateOptions ? { stateOptions: o.stateOptions } : {}),
      persist: { saveState: (model, state, urgent) => this.saveState(model, state, urgent), saveOverrides: (t) => this.saveOverrides(t) },
    });
    if (o.overrides && Object.keys(o.overrides).length > 0) this.saveOverrides(overrides);
  }

  acquire(req: PermitRequest): Promise<PermitAnswer> {
    return this.inner.acquire(req);
  }
  report(r: CallReport): Promise<void> {
    return this.inner.report(r);
  }
  confirm(permit: Permit): Promise<boolean> {
    return this.inner.confirm(permit);
  }
  setLimits(table: Record<string, ModelLimits | null>): Promise<void> {
    return this.inner.setLimits(table);
  }
  status(model: string): Promise<ModelStatus> {
    return this.inner.status(model);
  }

  /** The settings page's view: defaults, overrides, and each model's live adaptive state. */
  settings(): Promise<GovernorSettings> {
    const { overrides, states } = this.inner.snapshot();
    return governorSettings({ governor: this, defaults: this.o.defaults, overrides, seen: Object.keys(states) });
  }

  /**
   * Applies a settings update at once (the next acquire sees it) and persists it: each named
   * model's override is replaced whole, `null` or `{}` going back to the default.
   */
  async update(update: LimitsUpdate): Promise<GovernorSettings> {
    const next = overridesAfter(this.inner.snapshot().overrides, update);
    const models = Object.keys(update);
    // Both steps run synchronously: no acquire sees the model between the reset and the new value.
    const reset = this.inner.setLimits(Object.fromEntries(models.map((m) => [m, null])));
    const set = this.inner.setLimits(Object.fromEntries(models.filter((m) => next[m]).map((m) => [m, next[m]!])));
    await Promise.all([reset, set]);
    return this.settings();
  }

  /** Writes pending state now and stops the flush timer (before the database closes). */
  close(): void {
    this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private saveState(model: string, state: ModelState, urgent: boolean): void {
    if (this.closed) return;
    this.dirty.set(model, state);
    if (urgent) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), this.o.flushMs ?? 1_000);
    this.timer.unref();
  }

  private saveOverrides(overrides: LimitsTable): void {
    if (this.closed || !this.o.db.open) return;
    this.o.beforeWrite();
    this.o.db
      .prepare("INSERT INTO governor_limits (id, overrides) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET overrides = excluded.overrides")
      .run(JSON.stringify(overrides));
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.dirty.size === 0 || !this.o.db.open) return;
    this.o.beforeWrite();
    const upsert = this.o.db.prepare("INSERT INTO governor_models (model, state) VALUES (?, ?) ON CONFLICT(model) DO UPDATE SET state = excluded.state");
    for (const [model, state] of this.dirty) upsert.run(model, JSON.stringify(state));
    this.dirty.clear();
  }
}

function loadOverrides(db: Db): LimitsTable {
  const row = db.prepare("SELECT overrides FROM governor_limits WHERE id = 1").get() as { overrides: string } | undefined;
  if (!row) return {};
  const parsed = LimitsTable.safeParse(JSON.parse(row.overrides));
  return parsed.success ? parsed.data : {};
}

/** States that no longer parse (an older format) are dropped: the model starts fresh. */
function loadStates(db: Db): Record<string, ModelState> {
  const rows = db.prepare("SELECT model, state FROM governor_models").all() as Array<{ model: string; state: string }>;
  const out: Record<string, ModelState> = {};
  for (const r of rows) {
    const parsed = ModelState.safeParse(JSON.parse(r.state));
    if (parsed.success) out[r.model] = parsed.data;
  }
  return out;
}
