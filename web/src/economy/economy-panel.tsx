/**
 * The batch view's economy panel: for a job in economy mode, one entry per layer of text steps
 * with its provider batch jobs' states (pending, running, succeeded, ...), request count, how long
 * the oldest unsettled one has been waiting (ticking with `now`) and a done mark; plus the cost so
 * far beside what the same work would have cost realtime. Read from `job.economy`, which the
 * economy driver writes and every backend passes through (API, SSE, onSnapshot).
 */
import { formatUsd } from "@core/governor/format-usd";
import type { EconomyProgress, LayerSummary } from "@core/economy/economy-progress";
import type { Job } from "../backend/types";
import { layerName, layerStates, waitingText } from "../lib/economy-view";

interface Props {
  job: Pick<Job, "costUsd">;
  economy: EconomyProgress;
  /** Text step ids per layer (from the job's flow snapshot); a layer without an entry shows none. */
  nodes: ReadonlyMap<number, readonly string[]>;
  now: number;
}

export function EconomyPanel({ job, economy, nodes, now }: Props) {
  const saved = Math.max(0, economy.realtimeCostUsd - job.costUsd);
  return (
    <section className="card field economy-panel" aria-label="Economy progress" data-testid="economy-panel">
      <div className="row">
        <h3>Economy mode: provider batch jobs</h3>
        <span className="hint">Text steps run layer by layer at the batch price; a layer can take up to 24 h.</span>
      </div>
      <ol className="layer-list" aria-label="Layers">
        {economy.layers.map((layer) => (
          <LayerItem key={layer.layer} layer={layer} nodes={nodes.get(layer.layer) ?? []} now={now} />
        ))}
      </ol>
      {economy.layers.length === 0 && <p className="hint">No provider batch job submitted yet.</p>}
      <p className="economy-cost" data-testid="economy-cost">
        Cost so far <strong>{formatUsd(job.costUsd)}</strong>; realtime would have cost <strong>{formatUsd(economy.realtimeCostUsd)}</strong>
        {saved > 0 ? ` (saved ${formatUsd(saved)})` : ""}.
      </p>
    </section>
  );
}

function LayerItem({ layer, nodes, now }: { layer: LayerSummary; nodes: readonly string[]; now: number }) {
  const name = layerName(layer.layer);
  const states = layerStates(layer);
  const waiting = layer.done ? "" : waitingText(layer.waitingSince, now);
  return (
    <li className={`layer-item${layer.done ? " done" : ""}`} aria-label={name} data-testid={`economy-layer-${layer.layer}`}>
      <div className="layer-head">
        <strong>{name}</strong>
        {nodes.length > 0 && <span className="hint layer-nodes">{nodes.join(", ")}</span>}
        <span className="spacer" />
        {layer.done ? (
          <span className="status succeeded" data-testid="layer-done">
            ✓ done
          </span>
        ) : (
          waiting && (
            <span className="status retrying" data-testid="layer-waiting">
              {waiting}
            </span>
          )
        )}
      </div>
      <p className="hint">
        {layer.providerJobs.toLocaleString()} provider job{layer.providerJobs === 1 ? "" : "s"} · {layer.requests.toLocaleString()} request
        {layer.requests === 1 ? "" : "s"}
      </p>
      <ul className="layer-states" aria-label={`${name} provider job states`}>
        {states.map((s) => (
          <li key={s.state} className={`status ${s.state}`}>
            {s.count.toLocaleString()} {s.label}
          </li>
        ))}
      </ul>
    </li>
  );
}
