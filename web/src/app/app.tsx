/** The app shell: picks the backend, loads its config, and routes between the screens. */
import { useCallback, useEffect, useState } from "react";
import { createBackend } from "../backend/select-backend";
import { toBackendError, type BackendError } from "../backend/types";
import { BatchList } from "../batch-view/batch-list";
import { BatchView } from "../batch-view/batch-view";
import { FlowEditor } from "../editor/flow-editor";
import { SettingsPage } from "../settings/settings-page";
import { ErrorBanner, Spinner } from "../ui/feedback";
import { BackendContext, type BackendState } from "../backend/backend-context";
import { useFlowDocument } from "../editor/use-flow-document";
import { toFlowJson } from "../lib/flow-model";
import { navigate, routeHref, useHashRoute, type Route } from "../ui/use-hash-route";

function Header({ route, state }: { route: Route; state: BackendState | null }) {
  const current = (name: Route["name"]): "page" | undefined => (route.name === name || (name === "batches" && route.name === "batch") ? "page" : undefined);
  return (
    <header className="app-header">
      <div className="brand">
        FlowCraft <span>Batch</span>
      </div>
      <nav className="nav" aria-label="Main">
        <a href={routeHref({ name: "editor" })} aria-current={current("editor")}>
          Flow editor
        </a>
        <a href={routeHref({ name: "batches" })} aria-current={current("batches")}>
          Batches
        </a>
        <a href={routeHref({ name: "settings" })} aria-current={current("settings")}>
          Settings
        </a>
      </nav>
      {state && (
        <div className="header-info">
          <span>{state.config.backend === "local" ? "Local host" : "Firebase"}</span>
          <span className="pill" title="The AI provider the server uses">
            {state.config.provider === "offline" ? "offline provider" : state.config.provider}
          </span>
        </div>
      )}
    </header>
  );
}

export function App() {
  const route = useHashRoute();
  const [state, setState] = useState<BackendState | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [doc, updateDoc] = useFlowDocument();

  const connect = useCallback(() => {
    setError(null);
    createBackend()
      .then(async (backend) => setState({ backend, config: await backend.config() }))
      .catch((err: unknown) => setError(toBackendError(err)));
  }, []);
  useEffect(connect, [connect]);

  let body;
  if (error) {
    body = (
      <div className="page">
        <ErrorBanner title="Cannot connect" error={error.info} onRetry={connect} />
      </div>
    );
  } else if (!state) {
    body = (
      <div className="page">
        <Spinner label="Connecting…" />
      </div>
    );
  } else if (route.name === "editor") {
    body = <FlowEditor doc={doc} updateDoc={updateDoc} />;
  } else if (route.name === "batches") {
    body = <BatchList />;
  } else if (route.name === "settings") {
    body = <SettingsPage />;
  } else {
    body = (
      <BatchView
        key={route.id}
        jobId={route.id}
        currentFlow={doc.nodes.length > 0 ? toFlowJson({ nodes: doc.nodes, edges: doc.edges }) : undefined}
        onOpenInEditor={(flow, name) => {
          updateDoc(() => ({ nodes: flow.nodes, edges: flow.edges, name, sampleCsv: null }));
          navigate({ name: "editor" });
        }}
      />
    );
  }

  return (
    <BackendContext.Provider value={state}>
      <div className="app">
        <Header route={route} state={state} />
        <main className="main">{body}</main>
      </div>
    </BackendContext.Provider>
  );
}
