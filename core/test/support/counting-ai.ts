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
