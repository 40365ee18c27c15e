/** React context carrying the chosen BatchBackend and its config to every screen. */
import { createContext, useContext } from "react";
import type { BackendConfig, BatchBackend } from "./types";

export interface BackendState {
  backend: BatchBackend;
  config: BackendConfig;
}

export const BackendContext = createContext<BackendState | null>(null);

export function useBackend(): BackendState {
  const state = useContext(BackendContext);
  if (!state) throw new Error("useBackend outside BackendContext");
  return state;
}
