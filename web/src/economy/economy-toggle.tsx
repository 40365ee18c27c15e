/**
 * The run dialog's mode choice: realtime (the default) or economy, with the trade-off stated next
 * to it. Economy is disabled, with the reason naming the steps, when the flow has image or video
 * steps (the economy runner takes text flows only, see core/src/economy/economy-mode.ts).
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
  const economy = choice.available && mode === "economy";
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
            aria-describedby={choice.available ? tradeOffId : `${tradeOffId} ${reasonId}`}
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
      {!choice.available && (
        <p id={reasonId} className="hint" data-testid="economy-unavailable">
          {choice.reason}
        </p>
      )}
    </fieldset>
  );
}
