/** The offline provider with every text output padded to `padBytes`: large results and exports. */
import { OfflineAiService, type TextRequest, type TextResult } from "@flowcraft/core";

export class BigTextAi extends OfflineAiService {
  constructor(private readonly padBytes: number) {
    super({ latencyMs: 0 });
  }

  override async generateText(req: TextRequest): Promise<TextResult> {
    const r = await super.generateText(req);
    return { ...r, text: `${r.text} ${"x".repeat(this.padBytes)}` };
  }
}
