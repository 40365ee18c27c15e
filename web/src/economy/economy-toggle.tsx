/**
 * The run dialog's mode choice: realtime (the default) or economy, with the trade-off stated next
 * to it. For a flow with image or video steps it says which steps stay realtime (those, and text
 * steps below them; see `economyPlan` in core/src/economy/economy-mode.ts). Economy is disabled,
 * with the reason, only when it has nothing to batch (no text step runs through a batch job).
 */
import { useId } from "react";
import type { JobMode } from "@core/economy/economy-mode";
import { ECONOMY_TRADE_OFF, type EconomyChoice } from "../lib/economy-view";

interface Props {
  mode: JobMode;
  choice: EconomyChoice;
  onChange: (mode: JobMode) => void;
}

export function EconomyToggle({ mode, choice, onChange }: Props) {
  const name = useId();
  const tradeOffId = useId();
  const reasonId = useId();
  const noteId = useId();
  const economy = choice.available && mode === "economy";
  const note = choice.available ? choice.note : null;
  const describedBy = [tradeOffId, ...(choice.available ? [] : [reasonId]), ...(note ? [noteId] : [])].join(" ");
  return (
    <fieldset className="mode-toggle" role="radiogroup" data-testid="mode-toggle">
      <legend>Mode</legend>
      <div className="mode-options">
        <label className="mode-option">
          <input type="radio" name={name} value="realtime" checked={!economy} onChange={() => onChange("realtime")} />
          <span>
            <strong>Realtime</strong>
            <span className="hint">Rows run as soon as they can; standard price.</span>
          </span>
        </label>
        <label className="mode-option">
          <input
            type="radio"
            name={name}
            value="economy"
            checked={economy}
            disabled={!choice.available}
            aria-describedby={describedBy}
            onChange={() => onChange("economy")}
          />
          <span>
            <strong>Economy</strong>
            <span id={tradeOffId} className="hint" data-testid="economy-trade-off">
              {ECONOMY_TRADE_OFF.join(" ")}
            </span>
          </span>
        </label>
      </div>
      {note && (
        <p id={noteId} className="hint" data-testid="economy-realtime-steps">
          {note}
        </p>
      )}
      {!choice.available && (
        <p id={reasonId} className="hint" data-testid="economy-unavailable">
          {choice.reason}
        </p>
      )}
    </fieldset>
  );
}
