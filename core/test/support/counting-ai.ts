/** An AI service that counts generation calls and token counts separately (offline answers). */
import { OfflineAiService } from "../../src/ai/offline";
import type { AiService, CountTokensRequest, ImageRequest, MediaResult, TextRequest, TextResult, VideoRequest } from "../../src/ai/port";

export class CountingAi implements AiService {
  readonly name = "counting";
  generations = 0;
  counts = 0;
  private readonly offline = new OfflineAiService();

  constructor(private readonly opts: { countFails?: boolean; noCounter?: boolean } = {}) {
    if (opts.noCounter) this.countTokens = undefined;
  }

  countTokens?: (req: CountTokensRequest) => Promise<number> = (req) => {
    this.counts += 1;
    if (this.opts.countFails) return Promise.reject(new Error("counter down"));
    return this.offline.countTokens(req);
  };

  generateText(req: TextRequest): Promise<TextResult> {
    this.generations += 1;
    return this.offline.generateText(req);
  }

  generateImage(req: ImageRequest): Promise<MediaResult> {
    this.generations += 1;
    return this.offline.generateImage(req);
  }

  generateVideo(req: VideoRequest): Promise<MediaResult> {
    this.generations += 1;
    return this.offline.generateVideo(req);
  }
}

/**
 * The offline provider, counting its realtime text and image calls and its batch-job creates (its
 * batch jobs answer without realtime calls): an economy run should make no realtime text call.
 */
export class CountingOffline implements AiService {
  readonly name = "offline";
  text = 0;
  images = 0;
  creates = 0;
  private readonly inner: OfflineAiService;
  readonly batches: NonNullable<AiService["batches"]>;

  constructor(opts: ConstructorParameters<typeof OfflineAiService>[0] = {}) {
    this.inner = new OfflineAiService({ latencyMs: 0, ...opts });
    const batches = this.inner.batches;
    this.batches = Object.create(batches, {
      create: {
        value: (req: Parameters<typeof batches.create>[0]) => {
          this.creates += 1;
          return batches.create(req);
        },
      },
    }) as typeof batches;
  }

  generateText(req: TextRequest): Promise<TextResult> {
    this.text += 1;
    return this.inner.generateText(req);
  }

  generateImage(req: ImageRequest): Promise<MediaResult> {
    this.images += 1;
    return this.inner.generateImage(req);
  }

  generateVideo(req: VideoRequest): Promise<MediaResult> {
    return this.inner.generateVideo(req);
  }
}
