/**
 * A batch's input cells, loaded page by page as they come into view: the results table asks for
 * the rows it shows (`want`), and each page of PAGE_ROWS rows is fetched once (a range read on the
 * server, `backend.rows`). Inputs never change, so loaded pages are kept for the view's lifetime.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useBackend } from "../backend/backend-context";
import type { BackendError } from "../backend/types";
import { toBackendError } from "../backend/types";

export const PAGE_ROWS = 100;

export interface InputRows {
  /** Cells of the rows loaded so far, by row index. */
  cells: ReadonlyMap<number, Record<string, string>>;
  /** Loads the pages holding these row indices (each page once). */
  want: (rowIndices: Iterable<number>) => void;
  error: BackendError | null;
}

export function useInputRows(jobId: string): InputRows {
  const { backend } = useBackend();
  const [cells, setCells] = useState<ReadonlyMap<number, Record<string, string>>>(new Map());
  const [error, setError] = useState<BackendError | null>(null);
  const requested = useRef(new Set<number>());
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const want = useCallback(
    (rowIndices: Iterable<number>) => {
      const pages = new Set<number>();
      for (const i of rowIndices) pages.add(Math.floor(i / PAGE_ROWS));
      for (const page of pages) {
        if (requested.current.has(page)) continue;
        requested.current.add(page);
        backend
          .rows(jobId, { cursor: page * PAGE_ROWS, limit: PAGE_ROWS })
          .then((res) => {
            if (!alive.current) return;
            setCells((prev) => {
              const next = new Map(prev);
              for (const r of res.rows) next.set(r.rowIndex, r.cells);
              return next;
            });
          })
          .catch((err: unknown) => {
            // Asked again on the next scroll over this page.
            requested.current.delete(page);
            if (alive.current) setError(toBackendError(err));
          });
      }
    },
    [backend, jobId],
  );
  return { cells, want, error };
}
