/** The `--help` text: every command, option, default and environment variable. */
export const HELP = `flowcraft-batch: run a FlowCraft AI flow over every row of a CSV.

Usage:
  flowcraft-batch run FLOW.json ROWS.csv [options]
  flowcraft-batch serve [--port P] [--host H] [--data-dir DIR] [--allow-origin ORIGIN]...
  flowcraft-batch template FLOW.json [--out FILE]
  flowcraft-batch --help

run options:
  --concurrency N         rows in flight at once (default 5, 1-50)
  --provider P            offline | gemini (default: gemini when GEMINI_API_KEY is set, else offline)
  --out FILE              results file; .jsonl/.ndjson writes JSON Lines, anything else CSV
                          (default: <ROWS>.results.csv beside the input CSV)
  --json                  print one JSON summary object as the last line of stdout:
                          {jobId, status, totalRows, completedRows, failedRows, costUsd,
                          durationMs, out, zip?}; a paused run adds pausedReason
                          (user|budget|circuit|quota) and pauseDetail
  --columns nodes         results also get failedNode, attempts, pass per row and, per step
                          node ID, ID:output, ID:status, ID:tokens, ID:model, ID:durationMs,
                          ID:errorCode (default: results)
  --spread json           a JSON step's schema fields get one column each, ID.field
  --bom                   start the CSV with a UTF-8 byte order mark (Excel); CSV only
  --zip                   also write <OUT>.zip: the results CSV plus every image and video,
                          named row-00012-NODE.png (the CSV's media cells name those entries)
  --data-dir DIR          keep the batch in DIR (default: $FLOWCRAFT_DATA_DIR, else a temporary
                          directory, removed afterwards)
  --job-concurrency TYPE=N
                          this batch's calls at once by step type (text, image, video), e.g.
                          text=10,image=3,video=1: a slow video step cannot hold every lane
  --job-model-concurrency MODEL=N
                          this batch's calls at once to one model (repeatable or a comma list)
  --budget-usd X          spend cap in USD: when the spend so far plus the reserve of the rows
                          running reaches X, no new row starts, the run writes the results so far
                          and exits 4 (with --json: status "paused", pausedReason "budget"); the
                          overshoot is at most the rows in flight, concurrency × one row's cost
  --economy               economy mode: text steps go through the provider's batch API, layer
                          by layer, at about half the price; results can take up to 24 h.
                          Text flows only (input, text, output nodes): other flows exit 2
  --estimate              print the estimate instead of running: rows, AI calls, input tokens
                          (the provider's token counter), output tokens, cost in USD and time,
                          each low / expected / high; one JSON line with --json. Makes no
                          generation call, writes nothing, exits 0. With --budget-usd it says
                          whether the budget covers the cost (the JSON line adds budgetUsd)
  --dry-run-rows K        with --estimate: first run the flow on K rows (1-10, real calls, their
                          cost is reported) and estimate from what they used

AI limits (run and serve; shared by every batch of the process, repeatable or comma lists,
MODEL may be * for every model without its own entry):
  --model-rpm MODEL=N          requests per minute
  --model-tpm MODEL=N          input tokens per minute
  --model-concurrency MODEL=N  calls in flight at once
  --model-rpd MODEL=N          requests per day
  With the gemini provider these override the Gemini tier-1 defaults (see README); the offline
  provider is unlimited unless a flag says otherwise.

Queue limits (run and serve; the local task queue of the process, off by default):
  --queue-concurrency N        tasks (rows) running at once across every batch
  --queue-rate N               tasks dispatched per second across every batch

serve options:
  --port P                port (default: $PORT or 8787; 0 picks a free port)
  --host H                loopback address to bind (default 127.0.0.1; only loopback is allowed)
  --data-dir DIR          data directory (default: $FLOWCRAFT_DATA_DIR or ./.data)
  --provider P            offline | gemini (default as for run)
  --allow-origin ORIGIN   also let pages from ORIGIN (e.g. http://localhost:3000) call the API;
                          repeat it or give a comma list. By default only the server's own pages
                          may, not other local ports or schemes. Adds $FLOWCRAFT_ALLOW_ORIGINS.
  --retention-days N      delete finished batches N days after they finish (checked at start-up
                          and daily; default: $FLOWCRAFT_RETENTION_DAYS, else keep them)

template options (writes the flow's input columns as a CSV header plus one example row: each
input node's data.example, else "example <label or column>"; UTF-8 with a BOM, for spreadsheets):
  --out FILE              write the template to FILE (default: stdout)

Results file: the input columns as given, one column per output node (its name), then status,
error, durationMs, inputTokens, outputTokens, totalTokens, costUsd (USD, every pass of the row),
then the --columns / --spread columns; rows in input order. Images and videos are copied to
<OUT>.media/ beside it (row-00012-NODE.png) and a media cell is that file's path relative to
the results file.

Exit codes (run): 0 every row succeeded, 3 finished with failed rows, 4 paused (the circuit
breaker saw 5 rows fail with the same key/model/quota error or no answer for 3 min, or the budget
was reached; the results so far are written), 2 invalid input (nothing was run), 130 after
Ctrl-C (the batch is cancelled and the results so far are written), 1 anything else (including
a batch cancelled from the app). serve: 130 after Ctrl-C, 0 on SIGTERM.

Environment:
  GEMINI_API_KEY                 use Gemini (else the offline provider)
  GOOGLE_GEMINI_BASE_URL         Gemini endpoint override, passed to the SDK untouched
  FLOWCRAFT_DATA_DIR             data directory for serve and run (--data-dir wins)
  FLOWCRAFT_OFFLINE_LATENCY_MS   offline provider latency per call (serve: 300, run: 0)
  FLOWCRAFT_ECONOMY_POLL_MS      economy batches: ms before a provider batch job's first poll,
                                 doubling per poll (default: Gemini 30000, offline 1000)
  FLOWCRAFT_ECONOMY_MAX_POLL_MS  economy batches: longest ms between polls (default: Gemini
                                 600000, offline 5000, at least FLOWCRAFT_ECONOMY_POLL_MS)
  PORT                           serve's port
  FLOWCRAFT_ALLOW_ORIGINS        serve: comma list of extra origins allowed to call the API
  FLOWCRAFT_LOG_LEVEL            serve's log level on stderr: debug | info | warn (default) | error
`;
