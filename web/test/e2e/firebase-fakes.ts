/**
 * Stand-ins for the Auth and Functions emulators, installed as Playwright routes: anonymous
 * sign-up and account lookup (Auth emulator REST), and callables (`POST /<project>/<region>/<name>`
 * with `{data}` → `{result}`). Every callable request is recorded for the test to inspect.
 * Firestore is not faked: its WebChannel protocol is out of scope here.
 */
import type { Page, Route } from "playwright-core";

export interface CallableCall {
  name: string;
  data: unknown;
  authorization: string | null;
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
};

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An unsigned ID token with the claims the SDK reads (the emulator does not sign tokens either). */
export function fakeIdToken(uid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: "https://securetoken.google.com/demo-flowcraft",
    aud: "demo-flowcraft",
    sub: uid,
    user_id: uid,
    iat: now,
    exp: now + 3600,
    auth_time: now,
    firebase: { sign_in_provider: "anonymous", identities: {} },
  };
  return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`;
}

async function json(route: Route, body: unknown): Promise<void> {
  await route.fulfill({ status: 200, contentType: "application/json", headers: CORS, body: JSON.stringify(body) });
}

export async function installFirebaseFakes(
  page: Page,
  callables: Record<string, (data: unknown) => unknown>,
): Promise<{ calls: CallableCall[]; signUps: () => number }> {
  const uid = "e2e-anonymous-user";
  const token = fakeIdToken(uid);
  const calls: CallableCall[] = [];
  let signUps = 0;
  await page.route("http://127.0.0.1:9099/**", async (route) => {
    const url = route.request().url();
    if (route.request().method() === "OPTIONS") return route.fulfill({ status: 204, headers: CORS });
    if (url.includes("accounts:signUp")) {
      signUps++;
      return json(route, { kind: "identitytoolkit#SignupNewUserResponse", idToken: token, refreshToken: "e2e-refresh", expiresIn: "3600", localId: uid });
    }
    if (url.includes("accounts:lookup")) {
      return json(route, { users: [{ localId: uid, providerUserInfo: [], createdAt: String(Date.now()), lastLoginAt: String(Date.now()) }] });
    }
    return route.fulfill({ status: 404, headers: CORS, body: "{}" });
  });
  await page.route("http://127.0.0.1:5001/**", async (route) => {
    if (route.request().method() === "OPTIONS") return route.fulfill({ status: 204, headers: CORS });
    const name = new URL(route.request().url()).pathname.split("/").pop() ?? "";
    const body = route.request().postDataJSON() as { data: unknown };
    calls.push({ name, data: body.data, authorization: (await route.request().allHeaders()).authorization ?? null });
    const handler = callables[name];
    if (!handler)
      return route.fulfill({
        status: 404,
        contentType: "application/json",
        headers: CORS,
        body: JSON.stringify({ error: { status: "NOT_FOUND", message: name } }),
      });
    return json(route, { result: handler(body.data) });
  });
  return { calls, signUps: () => signUps };
}
