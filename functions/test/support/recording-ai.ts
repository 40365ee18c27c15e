/**
 * A fake AI that records when each call starts and finishes (by prompt), for overlap and
 * in-flight checks by ordering. Each call waits a few real milliseconds so concurrent rows overlap.
 */
import type { AiService, MediaResult, TextRequest, TextResult } from "@flowcraft/core";

export interface AiEvent {
  kind: "start" | "end";
  prompt: string;
}

export class RecordingAi implements AiService {
  readonly name = "recording";
  readonly events: AiEvent[] = [];

  constructor(private readonly delayMs = 5) {}

  async generateText(req: TextRequest): Promise<TextResult> {
    this.events.push({ kind: "start", prompt: req.prompt });
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.events.push({ kind: "end", prompt: req.prompt });
    const usage = { inputTokens: 3, outputTokens: 2, totalTokens: 5 };
    return { text: `answer: ${req.prompt}`, usage, model: req.model };
  }
  generateImage(): Promise<MediaResult> {
    return Promise.reject(new Error("not used"));
  }
  generateVideo(): Promise<MediaResult> {
    return Promise.reject(new Error("not used"));
  }

  /** Highest number of calls in flight at once, from the event order. */
  maxInFlight(): number {
    let now = 0;
    let max = 0;
    for (const e of this.events) {
      now += e.kind === "start" ? 1 : -1;
      max = Math.max(max, now);
    }
    return max;
  }

  /** True when some call started before an earlier-started call ended. */
  overlapped(): boolean {
    return this.maxInFlight() >= 2;
  }
}
