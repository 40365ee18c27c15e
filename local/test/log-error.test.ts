/** Log fields for errors the local host did not build: keys in their messages never reach the log. */
import { PermanentError } from "@flowcraft/core";
import { errorFields } from "../src/log-error";

const KEY = "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv";

describe("errorFields", () => {
  it.each<[string, string]>([
    ["verbatim", `request to https://x/?key=${KEY} failed`],
    ["base64", `body ${Buffer.from(`{"key":"${KEY}"}`).toString("base64")}`],
    ["URL-encoded", `url ${encodeURIComponent(`?key=${KEY}`).replace(/A/g, "%41")}`],
  ])("scrubs a key (%s) from an SDK error's message", (_how, message) => {
    const fields = errorFields(new Error(message));
    expect(fields.code).toBe("internal");
    expect(fields.error).not.toContain(KEY);
    expect(fields.error).toContain("[redacted]");
  });

  it("keeps our own errors' messages (already safe) as they are", () => {
    expect(errorFields(new PermanentError("not_found", "No batch"))).toEqual({ code: "not_found", error: "No batch" });
  });
});
