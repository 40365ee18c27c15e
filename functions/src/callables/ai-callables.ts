/**
 * Single generations (the original plan's text, image and video calls), the one-row flow preview
 * and the batch estimate (token counts, an optional dry run), over the same AI service the row tasks use. Bound to the Gemini secret. Each call
 * first counts toward the caller's AI calls per minute (resource-exhausted beyond it).
 */
import {
  FIREBASE_LIMITS,
  GenerateImageRequest,
  GenerateTextRequest,
  GenerateVideoRequest,
  PreviewRequest,
  ServerWorkflowEngine,
  parseFlow,
  previewFlowOf,
  toMediaResponse,
  toPreviewRun,
  type BatchEstimate,
  type MediaResponse,
  type TextResult,
} from "@flowcraft/core";
import { GENERATE_TIMEOUT_SECONDS, PREVIEW_TIMEOUT_SECONDS } from "../config/function-options";
import { GEMINI_API_KEY } from "../config/params";
import { defineCallable } from "../http/define-callable";
import { EstimateBatchInput } from "./schemas";

const AI_NODE_TYPES: ReadonlySet<string> = new Set(["text", "image", "video"]);

const withAi = { secrets: [GEMINI_API_KEY], withAi: true } as const;

export const generateText = defineCallable({
  ...withAi,
  name: "generateText",
  input: GenerateTextRequest,
  timeoutSeconds: GENERATE_TIMEOUT_SECONDS,
  run: async (input, { uid, deps }): Promise<TextResult> => {
    await deps.quota.consume(uid, "ai-calls", 1);
    return deps.ai.generateText(input);
  },
});

export const generateImage = defineCallable({
  ...withAi,
  name: "generateImage",
  input: GenerateImageRequest,
  timeoutSeconds: GENERATE_TIMEOUT_SECONDS,
  memory: "1GiB",
  run: async (input, { uid, deps }): Promise<MediaResponse> => {
    await deps.quota.consume(uid, "ai-calls", 1);
    return toMediaResponse(await deps.ai.generateImage(input));
  },
});

/** Video takes minutes: clients must raise httpsCallable's timeout (default 70 s) to match. */
export const generateVideo = defineCallable({
  ...withAi,
  name: "generateVideo",
  input: GenerateVideoRequest,
  timeoutSeconds: GENERATE_TIMEOUT_SECONDS,
  memory: "2GiB",
  run: async (input, { uid, deps }): Promise<MediaResponse> => {
    await deps.quota.consume(uid, "ai-calls", 1);
    return toMediaResponse(await deps.ai.generateVideo(input));
  },
});

/**
 * `{flow, columns, rows, totalRows?, concurrency?, dryRunRows?, seed?} → {estimate}`: cost and time,
 * low / expected / high, before a batch runs. Counts prompts with the provider's token counter (no
 * generation); a dry run of k rows makes real calls, which count toward the AI calls per minute.
 */
export const estimateBatch = defineCallable({
  ...withAi,
  name: "estimateBatch",
  input: EstimateBatchInput,
  timeoutSeconds: PREVIEW_TIMEOUT_SECONDS,
  memory: "1GiB",
  run: async (input, { uid, deps }): Promise<{ estimate: BatchEstimate }> => {
    if (input.dryRunRows) {
      const parsed = parseFlow(input.flow, { columns: input.columns });
      await deps.quota.consume(uid, "ai-calls", input.dryRunRows * parsed.nodes.filter((n) => AI_NODE_TYPES.has(n.type)).length);
    }
    return { estimate: await deps.handlers.estimateBatch({ ownerId: uid }, input) };
  },
});

/** `{flow, row} → {run}`: runs the flow once on one row; media comes back inline as data URLs. */
export const previewFlow = defineCallable({
  ...withAi,
  name: "previewFlow",
  input: PreviewRequest,
  timeoutSeconds: PREVIEW_TIMEOUT_SECONDS,
  memory: "2GiB",
  run: async ({ flow, row }, { uid, deps }) => {
    const parsed = previewFlowOf({ flow, row }, FIREBASE_LIMITS);
    // A preview runs every AI node of the flow once: each counts toward the per-minute quota.
    await deps.quota.consume(uid, "ai-calls", parsed.nodes.filter((n) => AI_NODE_TYPES.has(n.type)).length);
    const engine = new ServerWorkflowEngine({ ai: deps.ai, clock: deps.clock, logger: deps.logger });
    const deadline = deps.clock.now() + (PREVIEW_TIMEOUT_SECONDS - 30) * 1000;
    const run = await engine.execute({ flow: parsed, row, deadline });
    return { run: toPreviewRun(run) };
  },
});
