/** Which webhook URLs are accepted on each kind of host, and the signature a receiver verifies. */
import { signWebhook, verifyWebhook } from "../src/webhooks/webhook-sign";
import { webhookUrlProblem } from "../src/webhooks/webhook-url";

describe("webhookUrlProblem", () => {
  it.each([
    ["https://hooks.example.com/flowcraft", false, null],
    ["https://hooks.example.com/flowcraft", true, null],
    ["http://hooks.example.com/flowcraft", true, "https"],
    ["http://127.0.0.1:9000/hook", true, null],
    ["http://[::1]:9000/hook", true, null],
    ["http://localhost/hook", true, null],
    ["http://127.0.0.1:9000/hook", false, "loopback"],
    ["https://127.0.0.1/hook", false, "loopback"],
    ["ftp://127.0.0.1/hook", true, "https"],
    ["https://user:secret@example.com/", false, "password"],
    ["/relative", false, "absolute"],
  ])("%s (loopback allowed: %s) → %s", (url, allowLoopback, problem) => {
    const got = webhookUrlProblem(url, allowLoopback);
    if (problem === null) expect(got).toBeNull();
    else expect(got).toContain(problem);
  });
});

describe("signWebhook / verifyWebhook", () => {
  const body = '{"id":"j1:completed:0"}';
  const now = 1_800_000_000_000;
  it("verifies its own signature, and refuses another secret, another body or an old timestamp", () => {
    const header = signWebhook("whsec_a", body, now);
    expect(header).toBe(`t=${now / 1000},v1=${header.split("v1=")[1]}`);
    expect(verifyWebhook({ secret: "whsec_a", header, body, nowMs: now + 1000 })).toBe(true);
    expect(verifyWebhook({ secret: "whsec_b", header, body, nowMs: now })).toBe(false);
    expect(verifyWebhook({ secret: "whsec_a", header, body: body + " ", nowMs: now })).toBe(false);
    expect(verifyWebhook({ secret: "whsec_a", header, body, nowMs: now + 301_000 })).toBe(false);
    expect(verifyWebhook({ secret: "whsec_a", header: "garbage", body, nowMs: now })).toBe(false);
  });
});
