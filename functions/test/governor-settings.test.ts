/**
 * The governor settings callables on the real exports (firebase-functions-test): admin only
 * (custom claim `admin: true`, else permission-denied, before any read or write), the table
 * validated with the port's LimitsTable schema, `settings/governor` written with who and when,
 * and a running StoreGovernor on the same store picking the change up without a restart.
 */
import { DEFAULT_MODEL_LIMITS, GOVERNOR_SETTINGS_PATH, OfflineAiService, StoreGovernor } from "@flowcraft/core";
import { ManualClock } from "@flowcraft/core/testing";
import * as fns from "../src/index";
import { Harness, auth, fft, httpsErrorOf } from "./support/harness";

afterAll(() => fft.cleanup());

const getSettings = fft.wrap(fns.getGovernorSettings);
const setSettings = fft.wrap(fns.setGovernorSettings);
const admin = (uid: string) => ({ uid, token: { uid, admin: true } as never, rawToken: "test-token" });
const call = (fn: typeof getSettings, data: unknown, who: ReturnType<typeof auth> | null) => fn({ data, ...(who ? { auth: who } : {}) } as never);

describe("governor settings callables", () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness({ ai: new OfflineAiService(), autoDeliver: false });
  });

  it.each([
    ["getGovernorSettings", getSettings, {}],
    ["setGovernorSettings", setSettings, { limits: { "gemini-2.5-flash": { rpm: 10 } } }],
  ])("%s refuses a signed-in caller without the admin claim, and a signed-out one", async (_name, fn, data) => {
    expect((await httpsErrorOf(call(fn, data, auth("alice")))).code).toBe("permission-denied");
    expect((await httpsErrorOf(call(fn, data, { ...auth("alice"), token: { uid: "alice", admin: "true" } as never }))).code).toBe("permission-denied");
    expect((await httpsErrorOf(call(fn, data, null))).code).toBe("unauthenticated");
    expect(await h.store.get(GOVERNOR_SETTINGS_PATH)).toBeNull();
  });

  it("an admin reads the defaults before anything was set", async () => {
    const view = await call(getSettings, {}, admin("root"));
    expect(view).toMatchObject({ updatedAt: null, updatedBy: null });
    const flash = view.models.find((m) => m.model === "gemini-2.5-flash");
    expect(flash).toMatchObject({ defaults: DEFAULT_MODEL_LIMITS["gemini-2.5-flash"], override: null, limits: DEFAULT_MODEL_LIMITS["gemini-2.5-flash"] });
  });

  it("an admin sets overrides: settings/governor holds them with updatedAt and updatedBy, and get shows them", async () => {
    const limits = { "gemini-2.5-flash": { rpm: 300, concurrency: 20 }, "*": { rpm: 60 } };
    const before = Date.now();
    const set = await call(setSettings, { limits }, admin("root"));
    expect(set).toMatchObject({ updatedBy: "root" });
    expect(set.models.find((m) => m.model === "gemini-2.5-flash")).toMatchObject({
      override: limits["gemini-2.5-flash"],
      limits: { rpm: 300, concurrency: 20 },
    });
    expect(set.updatedAt).toBeGreaterThanOrEqual(before);
    expect((await h.store.get(GOVERNOR_SETTINGS_PATH))?.data).toEqual({ limits, updatedAt: set.updatedAt, updatedBy: "root" });
    // A second set changes only the models it names; null puts a model back on its default.
    await call(setSettings, { limits: { "*": { rpm: 30 }, "gemini-2.5-flash": null } }, admin("root"));
    expect((await h.store.get(GOVERNOR_SETTINGS_PATH))?.data).toMatchObject({ limits: { "*": { rpm: 30 } } });
    const view = await call(getSettings, {}, admin("other-admin"));
    expect(view.models.find((m) => m.model === "gemini-2.5-flash")?.override).toBeNull();
    expect(view.models.find((m) => m.model === "*")).toMatchObject({ override: { rpm: 30 } });
  });

  it("rejects a table the LimitsTable schema refuses, naming the field, and writes nothing", async () => {
    const err = await httpsErrorOf(call(setSettings, { limits: { "gemini-2.5-flash": { rpm: -5, concurrency: 1.5 } } }, admin("root")));
    expect(err.code).toBe("invalid-argument");
    const paths = (err.details as { details: { path: string }[] }).details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["limits.gemini-2.5-flash.rpm", "limits.gemini-2.5-flash.concurrency"]));
    expect((await httpsErrorOf(call(setSettings, { limits: { m: { rpm: 1 } }, extra: 1 }, admin("root")))).code).toBe("invalid-argument");
    expect(await h.store.get(GOVERNOR_SETTINGS_PATH)).toBeNull();
  });

  it("a running governor on the same store applies the new limits within its refresh window, without a redeploy", async () => {
    const clock = new ManualClock(Date.now());
    const governor = new StoreGovernor({ store: h.store, clock, instanceId: "fn-a", defaults: DEFAULT_MODEL_LIMITS });
    expect((await governor.status("gemini-2.5-flash")).limits.rpm).toBe(DEFAULT_MODEL_LIMITS["gemini-2.5-flash"]?.rpm);
    await call(setSettings, { limits: { "gemini-2.5-flash": { rpm: 120 } } }, admin("root"));
    await clock.advance(5_000);
    expect((await governor.status("gemini-2.5-flash")).limits.rpm).toBe(120);
  });
});
