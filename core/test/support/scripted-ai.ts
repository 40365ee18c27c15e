/**
 * A scripted fake AiService for engine tests. Every call is recorded (`calls`) and brackets a
 * `start <label>` / `end <label>` pair in `events` (label = the prompt's first word), so tests can
 * prove ordering and overlap without measuring time. A handler decides each reply: return a
 * partial result, throw (or reject) an error, or return undefined for the default reply
 * (text `<prompt>`, usage 1/2/3, a 3-byte PNG for media).
 */
import { RetryableError } from "../../src/errors";
import type { AiService, ImageRequest, MediaResult, TextRequest, TextResult, VideoRequest } from "../../src/ai/port";

export interface ScriptedCall {
  kind: "text" | "image" | "video";
  label: string;
  prompt: string;
  model: string;
  system?: string;
  jsonSchema?: Record<string, unknown>;
  signal?: AbortSignal;
  /** How many earlier calls had the same label. */
  repeat: number;
}

export type Reply = { text?: string; json?: unknown; model?: string } | undefined;
export type Handler = (call: ScriptedCall) => Reply | Promise<Reply>;

export const USAGE = { inputTokens: 1, outputTokens: 2, totalTokens: 3 };

export class ScriptedAi implements AiService {
  readonly name = "scripted";
  readonly calls: ScriptedCall[] = [];
  readonly events: string[] = [];

  constructor(private readonly handler: Handler = () => undefined) {}

  /** Calls whose label is `label`. */
  count(label: string): number {
    return this.calls.filter((c) => c.label === label).length;
  }

  /** Position of an event such as `start b` in `events` (-1 when absent). */
  at(event: string): number {
    return this.events.indexOf(event);
  }

  async generateText(req: TextRequest): Promise<TextResult> {
    const reply = await this.run("text", req);
    const result: TextResult = { text: reply?.text ?? `<${req.prompt}>`, usage: USAGE, model: reply?.model ?? req.model };
    if (reply?.json !== undefined) result.json = reply.json;
    return result;
  }

  async generateImage(req: ImageRequest): Promise<MediaResult> {
    const reply = await this.run("image", req);
    return { data: new Uint8Array([137, 80, 78]), mimeType: "image/png", usage: USAGE, model: reply?.model ?? req.model };
  }

  async generateVideo(req: VideoRequest): Promise<MediaResult> {
    const reply = await this.run("video", req);
    return { data: new Uint8Array([0, 0, 1]), mimeType: "video/mp4", usage: USAGE, model: reply?.model ?? req.model };
  }

  private async run(kind: ScriptedCall["kind"], req: TextRequest | ImageRequest | VideoRequest): Promise<Reply> {
    const label = req.prompt.split(/\s/)[0] ?? "";
    const call: ScriptedCall = { kind, label, prompt: req.prompt, model: req.model, repeat: this.count(label) };
    if ("system" in req && req.system !== undefined) call.system = req.system;
    if ("jsonSchema" in req && req.jsonSchema !== undefined) call.jsonSchema = req.jsonSchema;
    if (req.signal) call.signal = req.signal;
    this.calls.push(call);
    this.events.push(`start ${label}`);
    try {
      return await this.handler(call);
    } finally {
      this.events.push(`end ${label}`);
    }
  }
}

/** A promise with its resolver exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Rejects like a real provider once `signal` aborts: `RetryableError("cancelled")`. */
export function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    const fail = (): void => reject(new RetryableError("cancelled", "aborted"));
    if (signal?.aborted) return fail();
    signal?.addEventListener("abort", fail, { once: true });
  });
}

/** Resolves on a later macrotask: lets every ready node start before a reply lands. */
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
