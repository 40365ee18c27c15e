/**
 * How the web app starts App Check: reCAPTCHA Enterprise with the configured site key, a debug
 * token against the emulators (or the one given), and nothing without a site key.
 */
import { appCheckPlan } from "../src/backend/app-check";

describe("appCheckPlan", () => {
  it.each([
    [{ siteKey: "", debugToken: "", useEmulators: false }, { kind: "off" }],
    [{ siteKey: "", debugToken: "tok", useEmulators: true }, { kind: "off" }],
    [
      { siteKey: "site", debugToken: "", useEmulators: false },
      { kind: "recaptcha-enterprise", siteKey: "site" },
    ],
    [
      { siteKey: "site", debugToken: "", useEmulators: true },
      { kind: "recaptcha-enterprise", siteKey: "site", debugToken: true },
    ],
    [
      { siteKey: "site", debugToken: "tok", useEmulators: false },
      { kind: "recaptcha-enterprise", siteKey: "site", debugToken: "tok" },
    ],
  ])("%j → %j", (env, plan) => {
    expect(appCheckPlan(env)).toEqual(plan);
  });
});
