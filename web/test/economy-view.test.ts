/**
 * The web's reading of economy jobs: a `batch_jobs` document carrying `economy` (as onSnapshot and
 * the local API deliver it) parses into the per-layer progress; a realtime, not yet submitted or
 * malformed progress shows none; the layer states come in lifecycle order; "waiting for" ticks;
 * rows of an economy job with unsettled provider jobs wait on them instead of "pending"; the run
 * dialog's economy check names the image and video steps that stop it.
 */
import { Job } from "../../core/src/batch/model";
import { IMAGE_FLOW, TEXT_FLOW } from "../../local/test/support/flows";
import { jobFromDoc } from "../src/backend/job-doc";
import { economyChoice, economyOf, layerNodes, layerStates, waitingText, waitsOnProvider } from "../src/lib/economy-view";
import { PROVIDER_WAIT, rowContext, rowState, visibleRows } from "../src/lib/results-view";
import { ECONOMY, LAYER2_SINCE, MEDIA_FLOW, T0, TWO_LAYER_FLOW, economyJobDoc } from "./support/economy-fixtures";

describe("economy progress from a job document", () => {
  it("a Firestore job doc with economy parses, and the core schema accepts the same doc", () => {
    const job = jobFromDoc("job-1", economyJobDoc());
    expect(job.id).toBe("job-1");
    const economy = economyOf(job);
    expect(economy?.layers.map((l) => [l.layer, l.requests, l.done])).toEqual([
      [0, 120, true],
      [1, 120, false],
    ]);
    expect(economy?.realtimeCostUsd).toBe(0.0184);
    // The fixture is what the server writes: the core Job schema (API, SSE) keeps `economy` as is.
    expect(Job.parse({ ...economyJobDoc(), id: "job-1" }).economy).toEqual(ECONOMY);
  });

  it("survives the local API's JSON round trip (GET and SSE send the parsed job as JSON)", () => {
    const wire = JSON.parse(JSON.stringify(Job.parse({ ...economyJobDoc(), id: "job-1" }))) as unknown as Job;
    expect(economyOf(wire)).toEqual(ECONOMY);
  });

  it.each([
    ["a realtime job", economyJobDoc({ mode: "realtime" })],
    ["an economy job before its first submit", economyJobDoc({ economy: undefined })],
    ["a null economy", economyJobDoc({ economy: null })],
    ["a malformed economy (layers not a list)", economyJobDoc({ economy: { layers: "two", updatedAt: T0 } })],
    ["a layer with a negative request count", economyJobDoc({ economy: { ...ECONOMY, layers: [{ ...ECONOMY.layers[0], requests: -1 }] } })],
  ])("%s shows no layer panel", (_label, doc) => {
    expect(economyOf(jobFromDoc("j", doc))).toBeNull();
  });

  it("lists a layer's states in lifecycle order, drops zero counts, labels fallback, keeps unknown states last", () => {
    const states = { running: 2, succeeded: 1, submitting: 1, pending: 0, fallback: 1, archived: 1 };
    expect(layerStates({ states }).map((s) => `${s.count} ${s.label}`)).toEqual([
      "1 submitting",
      "2 running",
      "1 succeeded",
      "1 fell back to realtime",
      "1 archived",
    ]);
  });

  it.each([
    [null, ""],
    [T0, "waiting for 0 s"],
    [T0 - 42_000, "waiting for 42 s"],
    [LAYER2_SINCE, "waiting for 3 min"],
    [T0 - 3_600_000, "waiting for 1 h"],
    [T0 - 7_500_000, "waiting for 2 h 5 min"],
    [T0 + 5_000, "waiting for 0 s"],
  ])("waitingText(since %p) at T0 is %p", (since, text) => {
    expect(waitingText(since, T0)).toBe(text);
  });

  it("ticks: the same layer reads two minutes more two minutes later", () => {
    expect(waitingText(LAYER2_SINCE, T0 + 120_000)).toBe("waiting for 5 min");
  });

  it("finds each layer's text steps in the job's flow snapshot", () => {
    expect([...layerNodes(TWO_LAYER_FLOW)]).toEqual([
      [0, ["draft"]],
      [1, ["polish"]],
    ]);
    expect(layerNodes({ nodes: [null], edges: [42] }).size).toBe(0);
  });
});

describe("rows of an economy job", () => {
  const running = jobFromDoc("j", economyJobDoc());
  const settled = jobFromDoc("j", economyJobDoc({ economy: { ...ECONOMY, layers: ECONOMY.layers.map((l) => ({ ...l, done: true, waitingSince: null })) } }));

  it("wait on the provider batch job while a layer is unsettled, not 'pending'", () => {
    expect(waitsOnProvider(running)).toBe(true);
    const ctx = rowContext(running);
    expect(rowState(undefined, ctx, 7)).toBe(PROVIDER_WAIT);
    expect(rowState(undefined, rowContext({ ...running, status: "paused" }), 7)).toBe(PROVIDER_WAIT);
  });

  it("a row retrying realtime (fallback) stays retrying; a finished row keeps its status", () => {
    const wait = { rowIndex: 3, attempt: 1, at: T0, nextAttemptAt: T0 + 5000, error: { code: "rate_limited" as const, message: "429", retryable: true } };
    const ctx = rowContext({ ...running, retrying: [wait] });
    expect(rowState(undefined, ctx, 3)).toBe("retrying");
    expect(rowState({ rowIndex: 0, status: "succeeded" } as never, ctx, 0)).toBe("succeeded");
  });

  it.each([
    ["every layer settled", settled],
    ["the job completed", jobFromDoc("j", economyJobDoc({ status: "completed" }))],
    ["no progress yet", jobFromDoc("j", economyJobDoc({ economy: undefined }))],
    ["a realtime job", jobFromDoc("j", economyJobDoc({ mode: "realtime" }))],
  ])("are plain 'pending' when %s", (_label, job) => {
    expect(waitsOnProvider(job)).toBe(false);
    expect(rowState(undefined, rowContext(job), 7)).toBe("pending");
  });

  it("the pending filter lists rows waiting on the provider", () => {
    const results = new Map([[0, { rowIndex: 0, status: "succeeded" } as never]]);
    expect(visibleRows(3, results, "pending", rowContext(running))).toEqual([1, 2]);
  });
});

describe("economy choice in the run dialog", () => {
  it("a text flow can run in economy mode, every step batched", () => {
    expect(economyChoice(TEXT_FLOW)).toEqual({ available: true, realtime: [], note: null });
    expect(economyChoice(TWO_LAYER_FLOW)).toEqual({ available: true, realtime: [], note: null });
  });

  it("a flow with an image step can, naming the steps that stay realtime", () => {
    const choice = economyChoice(MEDIA_FLOW);
    expect(choice).toMatchObject({
      available: true,
      realtime: [
        { id: "draw", type: "image", reason: "media" },
        { id: "alt", type: "text", reason: "below-media" },
      ],
    });
    expect(choice.available && choice.note).toBe(
      "Stays realtime, at the standard price: draw (image), alt (text, after an image or video step). The other text steps go through provider batch jobs.",
    );
  });

  it("a flow with nothing to batch disables it, saying why", () => {
    const image = economyChoice(IMAGE_FLOW);
    expect(image).toEqual({ available: false, reason: "Economy mode has nothing to batch: this flow has no text step." });
    // topic ─▶ draw (image) ─▶ alt (text): the only text step waits for the image.
    const below = economyChoice({
      nodes: [...IMAGE_FLOW.nodes, { id: "alt", type: "text", data: {} }],
      edges: [...IMAGE_FLOW.edges, { source: "draw", target: "alt" }],
    });
    expect(below.available === false && below.reason).toBe(
      "Economy mode has nothing to batch: every AI step of this flow runs realtime: draw (image), alt (text, after an image or video step).",
    );
  });

  it("a flow the editor holds with a cycle or odd entries still gives an answer (the create check reports them)", () => {
    const cyclic = { nodes: TWO_LAYER_FLOW.nodes, edges: [...TWO_LAYER_FLOW.edges, { source: "polish", target: "draft" }, { source: 3 }] };
    expect(economyChoice(cyclic)).toEqual({ available: true, realtime: [], note: null });
    expect(economyChoice(null)).toEqual({ available: false, reason: "Economy mode has nothing to batch: this flow has no text step." });
  });
});
