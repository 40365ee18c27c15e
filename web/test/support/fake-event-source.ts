/**
 * An in-memory EventSource for unit tests under Node (which has none): records every instance so
 * a test can push `job`/`result`/`end` events into it or make it fail like the browser does.
 */
type Listener = (e: { data: string; lastEventId: string }) => void;

export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];

  readyState = FakeEventSource.CONNECTING;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, fn: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }

  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatch("open", "");
  }

  emit(type: string, data: unknown, id = ""): void {
    this.dispatch(type, JSON.stringify(data), id);
  }

  /** An event whose data is `text` as is (not necessarily JSON). */
  emitText(type: string, text: string, id = ""): void {
    this.dispatch(type, text, id);
  }

  /** `giveUp`: the browser stops retrying (CLOSED); otherwise it is reconnecting by itself. */
  fail(giveUp: boolean): void {
    this.readyState = giveUp ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.dispatch("error", "");
  }

  private dispatch(type: string, data: string, lastEventId = ""): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ data, lastEventId });
  }

  static latest(): FakeEventSource {
    const last = FakeEventSource.instances[FakeEventSource.instances.length - 1];
    if (!last) throw new Error("no EventSource was opened");
    return last;
  }
}
