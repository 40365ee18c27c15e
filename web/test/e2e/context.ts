/** Shared state and helpers of the browser test scenarios. */
import path from "node:path";
import type { Page } from "playwright-core";
import type { Example } from "./fixtures";
import { ROOT, type Browser, type Server } from "./harness";
import { assert } from "./steps";

export const SHOTS = path.join(ROOT, "web/test/e2e/screenshots");

export interface Ctx {
  server: Server;
  browser: Browser;
  page: Page;
  example: Example;
  jobId: string;
  pageErrors: string[];
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

export async function api<T>(server: Server, p: string, body?: unknown): Promise<T> {
  const init: RequestInit = body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const res = await fetch(server.baseUrl + p, init);
  assert(res.ok, `${init.method ?? "GET"} ${p} answered ${res.status}: ${await res.clone().text()}`);
  return (await res.json()) as T;
}
