/** Vite build for the web app. `@core/*` points at the pure core modules (never core's index). */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const coreSrc = fileURLToPath(new URL("../core/src", import.meta.url));
const apiTarget = process.env.FLOWCRAFT_API_URL ?? "http://127.0.0.1:8787";

export default defineConfig({
  plugins: [react()],
  resolve: { alias: [{ find: /^@core\/(.*)$/, replacement: `${coreSrc}/$1` }] },
  worker: { format: "es" },
  // changeOrigin false keeps the browser's Host, so the API sees Origin = http://<Host> and takes
  // the dev server's pages as its own origin (it refuses other origins without --allow-origin).
  server: { host: "127.0.0.1", proxy: { "/api": { target: apiTarget, changeOrigin: false } } },
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 1500 },
});
