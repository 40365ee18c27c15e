/**
 * The economy components rendered to HTML with fixture jobs (react-dom/server, no browser): the
 * batch view's layer panel (states, request counts, a ticking "waiting for", done marks, the cost
 * beside the realtime price, labelled lists), the run dialog's mode toggle (trade-off, disabled
 * with the reason for an image flow) and the estimate's two prices side by side.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import type { BatchEstimate } from "../../core/src/batch/estimate";
import { IMAGE_FLOW } from "../../local/test/support/flows";
import { jobFromDoc } from "../src/backend/job-doc";
import { EstimateFigures } from "../src/new-batch/estimate-panel";
import { EconomyPanel } from "../src/economy/economy-panel";
import { EconomyToggle } from "../src/economy/economy-toggle";
import { ProgressPanel } from "../src/batch-view/progress-panel";
import { economyChoice, economyOf, layerNodes } from "../src/lib/economy-view";
import { MEDIA_FLOW, T0, TWO_LAYER_FLOW, economyJobDoc } from "./support/economy-fixtures";

/** The markup's visible text, tags dropped and spaces collapsed. */
const text = (html: string): string =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
/** The opening tag of the element with this data-testid. */
const tagOf = (html: string, testId: string): string => html.match(new RegExp(`<[^>]*data-testid="${testId}"[^>]*>`))?.[0] ?? "";
/** The radio input with this value. */
const radio = (html: string, value: string): string => html.match(new RegExp(`<input type="radio"[^>]*value="${value}"[^>]*>`))?.[0] ?? "";
/** The markup from the element with this data-testid to the end of its list item. */
function layerHtml(html: string, layer: number): string {
  const start = html.indexOf(`data-testid="economy-layer-${layer}"`);
  const end = html.indexOf("</li></ul></li>", start);
  return start < 0 || end < 0 ? "" : html.slice(start, end);
}

function renderPanel(now: number, doc = economyJobDoc()): string {
  const job = jobFromDoc("job-1", doc);
  const economy = economyOf(job);
  if (!economy) throw new Error("the fixture has no economy progress");
  return renderToStaticMarkup(createElement(EconomyPanel, { job, economy, nodes: layerNodes(job.flowConfig), now }));
}

describe("EconomyPanel", () => {
  it("shows each layer's provider job states, requests, waiting time and done mark, and the realtime price", () => {
    const html = renderPanel(T0);
    expect(html).toContain('aria-label="Economy progress"');
    expect(html).toContain('<ol class="layer-list" aria-label="Layers">');
    const first = text(layerHtml(html, 0));
    expect(first).toContain("Layer 1 draft");
    expect(first).toContain("✓ done");
    expect(first).toContain("2 provider jobs · 120 requests");
    expect(first).toContain("2 succeeded");
    expect(first).not.toContain("waiting for");
    const second = text(layerHtml(html, 1));
    expect(second).toContain("Layer 2 polish");
    expect(second).toContain("waiting for 3 min");
    expect(second).toContain("3 provider jobs · 120 requests");
    expect(second).toContain("1 pending 2 running");
    expect(second).not.toContain("done");
    expect(html).toContain('aria-label="Layer 2 provider job states"');
    expect(text(html)).toContain("Cost so far $0.0092 ; realtime would have cost $0.0184 (saved $0.0092).");
  });

  it("ticks from waitingSince: rendered two minutes later the layer has waited 5 min", () => {
    expect(text(layerHtml(renderPanel(T0 + 120_000), 1))).toContain("waiting for 5 min");
  });

  it("a layer that fell back to realtime says so; no saving is claimed when the cost is not lower", () => {
    const economy = {
      layers: [{ layer: 0, providerJobs: 1, requests: 10, states: { fallback: 1 }, waitingSince: null, done: true }],
      realtimeCostUsd: 0.002,
      updatedAt: T0,
    };
    const html = renderPanel(T0, economyJobDoc({ economy, costUsd: 0.002 }));
    expect(text(html)).toContain("1 fell back to realtime");
    expect(text(html)).not.toContain("saved");
  });
});

describe("ProgressPanel of an economy job", () => {
  const timeLeft = (doc: Record<string, unknown>): string => {
    const html = renderToStaticMarkup(createElement(ProgressPanel, { job: jobFromDoc("j", doc), samples: [], now: T0, results: new Map() }));
    return html.match(/data-testid="stat-time-left">([^<]*)</)?.[1] ?? "";
  };
  it("gives no realtime time left while rows wait on provider batch jobs", () => {
    expect(timeLeft(economyJobDoc())).toBe("up to 24 h");
    expect(timeLeft(economyJobDoc({ mode: "realtime" }))).not.toBe("up to 24 h");
  });
});

describe("EconomyToggle", () => {
  const render = (mode: "realtime" | "economy", flow: unknown): string =>
    renderToStaticMarkup(createElement(EconomyToggle, { mode, choice: economyChoice(flow), onChange: () => undefined }));

  it("states the trade-off, realtime checked by default", () => {
    const html = render("realtime", TWO_LAYER_FLOW);
    expect(text(html)).toContain("About 50% cheaper. Results can take up to 24 h. Progress moves layer by layer.");
    expect(html).toContain('role="radiogroup"');
    expect(radio(html, "realtime")).toContain('checked=""');
    const economy = radio(html, "economy");
    expect(economy).not.toContain("checked");
    expect(economy).not.toContain("disabled");
  });

  it("checks economy when chosen", () => {
    const html = render("economy", TWO_LAYER_FLOW);
    expect(radio(html, "economy")).toContain('checked=""');
    expect(radio(html, "realtime")).not.toContain("checked");
  });

  it("is disabled for a flow with nothing to batch, the reason tied to the radio", () => {
    const html = render("economy", IMAGE_FLOW);
    const economy = radio(html, "economy");
    expect(economy).toContain('disabled=""');
    expect(radio(html, "realtime")).toContain('checked=""');
    expect(economy).not.toContain("checked");
    const reason = html.match(/<p id="([^"]+)"[^>]*data-testid="economy-unavailable"[^>]*>([^<]*)<\/p>/);
    expect(reason?.[2]).toBe("Economy mode has nothing to batch: this flow has no text step.");
    expect(economy).toContain(reason?.[1] ?? "no id");
    expect(html).not.toContain("economy-realtime-steps");
    expect(tagOf(html, "mode-toggle")).toContain("fieldset");
  });

  it("can be chosen for a flow with an image step, stating which steps stay realtime", () => {
    const html = render("economy", MEDIA_FLOW);
    const economy = radio(html, "economy");
    expect(economy).toContain('checked=""');
    expect(economy).not.toContain("disabled");
    const note = html.match(/<p id="([^"]+)"[^>]*data-testid="economy-realtime-steps"[^>]*>([^<]*)<\/p>/);
    expect(note?.[2]).toContain("Stays realtime, at the standard price: draw (image), alt (text, after an image or video step).");
    expect(economy).toContain(note?.[1] ?? "no id");
    expect(html).not.toContain("economy-unavailable");
    // A text-only flow has no such note.
    expect(render("economy", TWO_LAYER_FLOW)).not.toContain("economy-realtime-steps");
  });
});

describe("EstimateFigures", () => {
  const estimate = (economy: BatchEstimate["economyCostUsd"]): BatchEstimate => ({
    rows: 120,
    calls: 240,
    inputTokens: 9000,
    outputTokens: { low: 100, expected: 200, high: 400 },
    costUsd: { low: 0.01, expected: 0.02, high: 0.04 },
    economyCostUsd: economy,
    durationMs: { low: 60_000, expected: 90_000, high: 120_000 },
    sampled: false,
    sampleRows: 120,
    tokenCounter: "approximate",
    priceTableVersion: "2026-12",
    perNode: [],
  });

  it("shows the realtime and economy prices side by side, the chosen one marked", () => {
    const html = renderToStaticMarkup(createElement(EstimateFigures, { estimate: estimate({ low: 0.005, expected: 0.01, high: 0.02 }), mode: "economy" }));
    const t = text(html);
    expect(t).toContain("Realtime cost (expected) $0.02");
    expect(t).toContain("Economy cost (expected) (chosen) $0.01");
    expect(t).toContain("Economy cost range $0.005 – $0.02");
    expect(t).toContain("Time in economy up to 24 h");
  });

  it("says n/a for the economy price of a flow with nothing to batch", () => {
    const t = text(renderToStaticMarkup(createElement(EstimateFigures, { estimate: estimate(null), mode: "realtime" })));
    expect(t).toContain("Realtime cost (expected) (chosen) $0.02");
    expect(t).toContain("Economy cost (expected) n/a");
    expect(t).toContain("Economy cost range nothing to batch");
    expect(t).not.toContain("Time in economy");
  });
});
