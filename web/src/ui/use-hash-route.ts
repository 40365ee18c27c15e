/** Tiny hash router: `#/` editor, `#/batches` list, `#/batches/<id>` one batch, `#/settings` AI limits. */
import { useEffect, useState } from "react";

export type Route = { name: "editor" } | { name: "batches" } | { name: "batch"; id: string } | { name: "settings" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "");
  const m = /^\/batches\/([^/?#]+)/.exec(path);
  if (m?.[1]) return { name: "batch", id: decodeId(m[1]) };
  if (path.startsWith("/batches")) return { name: "batches" };
  if (path.startsWith("/settings")) return { name: "settings" };
  return { name: "editor" };
}

/** A hand-edited link may hold a stray `%`: keep it as typed (the batch view reports it as not found) rather than throw and blank the app. */
function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case "editor":
      return "#/";
    case "batches":
      return "#/batches";
    case "batch":
      return `#/batches/${encodeURIComponent(route.id)}`;
    case "settings":
      return "#/settings";
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}

export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
