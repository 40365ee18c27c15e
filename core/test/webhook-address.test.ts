/**
 * Where a deployed host's webhooks may not go: literal addresses in every blocked range (and the
 * IPv4-mapped and NAT64 forms of them, and the shorthand forms the URL parser turns into them) are
 * refused when the batch is created; host names are resolved before each attempt and refused when
 * any address is blocked; a delivery connects to the address that was checked (a name that would
 * resolve elsewhere on a second lookup cannot move it) and never follows a redirect.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { blockedAddress, checkWebhookHost, type HostResolver } from "../src/webhooks/webhook-address";
import { sendWebhook } from "../src/webhooks/webhook-send";
import { webhookUrlProblem } from "../src/webhooks/webhook-url";

const resolver =
  (table: Record<string, string[]>): HostResolver =>
  async (name) => {
    const hit = table[name];
    if (!hit) throw new Error(`ENOTFOUND ${name}`);
    return hit;
  };

describe("blockedAddress", () => {
  it.each([
    ["0.0.0.0", "this-network"],
    ["10.1.2.3", "private (RFC 1918)"],
    ["172.16.0.1", "private (RFC 1918)"],
    ["172.31.255.255", "private (RFC 1918)"],
    ["192.168.1.1", "private (RFC 1918)"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["169.254.169.254", "link-local"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["fd00::1", "unique-local"],
    ["fc12:3456::1", "unique-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["ff02::1", "multicast"],
    ["::ffff:10.0.0.1", "private (RFC 1918)"],
    ["::ffff:169.254.169.254", "link-local"],
    ["64:ff9b::7f00:1", "loopback"],
  ])("%s is refused (%s)", (ip, why) => {
    expect(blockedAddress(ip)).toBe(why);
  });

  it.each(["8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8", "not-an-address"])("%s is not refused", (ip) => {
    expect(blockedAddress(ip)).toBeNull();
  });
});

describe("webhookUrlProblem on a deployed host (blockPrivate)", () => {
  it.each([
    "https://10.0.0.5/hook",
    "https://169.254.169.254/computeMetadata/v1/",
    "https://[fd00::1]/hook",
    "https://[::ffff:192.168.0.1]/hook",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://METADATA.GOOGLE.INTERNAL./x",
    "https://0x7f.1/hook", // the URL parser reads it as 127.0.0.1
    "https://2130706433/hook", // 127.0.0.1 as one number
    "https://localhost/hook",
    "https://api.localhost/hook",
  ])("refuses %s when the batch is created", (url) => {
    expect(webhookUrlProblem(url, false, true)).not.toBeNull();
  });

  it("accepts a public https URL, and refuses plain http even to a public host", () => {
    expect(webhookUrlProblem("https://hooks.example.com/x", false, true)).toBeNull();
    expect(webhookUrlProblem("https://8.8.8.8/x", false, true)).toBeNull();
    expect(webhookUrlProblem("http://hooks.example.com/x", false, true)).not.toBeNull();
  });

  it("the local host (loopback allowed, no private-address rule) still takes http://127.0.0.1", () => {
    expect(webhookUrlProblem("http://127.0.0.1:9000/hook", true, false)).toBeNull();
    expect(webhookUrlProblem("http://127.0.0.1:9000/hook", false, false)).not.toBeNull();
  });
});

describe("checkWebhookHost", () => {
  it("resolves a name and answers the address to connect to", async () => {
    const resolve = resolver({ "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"] });
    expect(await checkWebhookHost("hooks.example.com", { allowLoopback: false, resolve })).toEqual({ ok: true, address: "93.184.216.34" });
  });

  it("refuses a name when any of its addresses is blocked, or when it does not resolve", async () => {
    const resolve = resolver({ "mixed.example.com": ["93.184.216.34", "10.0.0.7"], "inner.example.com": ["169.254.169.254"], "empty.example.com": [] });
    const check = (name: string) => checkWebhookHost(name, { allowLoopback: false, resolve });
    expect(await check("mixed.example.com")).toEqual({ ok: false, reason: "the host resolves to a private (RFC 1918) address (10.0.0.7)" });
    expect(await check("inner.example.com")).toMatchObject({ ok: false, reason: expect.stringContaining("link-local") });
    expect(await check("empty.example.com")).toEqual({ ok: false, reason: "the host name does not resolve" });
    expect(await check("nowhere.example.com")).toEqual({ ok: false, reason: "the host name does not resolve" });
    expect(await check("metadata.google.internal")).toMatchObject({ ok: false, reason: expect.stringContaining("metadata server") });
  });

  it("lets loopback through only where the host allows it", async () => {
    const resolve = resolver({ "dev.example.com": ["127.0.0.1"] });
    expect(await checkWebhookHost("127.0.0.1", { allowLoopback: true, resolve })).toEqual({ ok: true, address: null });
    expect(await checkWebhookHost("dev.example.com", { allowLoopback: true, resolve })).toEqual({ ok: true, address: "127.0.0.1" });
    expect(await checkWebhookHost("dev.example.com", { allowLoopback: false, resolve })).toMatchObject({ ok: false });
    expect(await checkWebhookHost("127.0.0.1", { allowLoopback: false, resolve })).toMatchObject({ ok: false });
  });
});

describe("sendWebhook", () => {
  let server: http.Server;
  let port = 0;
  const seen: { host: string | undefined; path: string | undefined }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ host: req.headers.host, path: req.url });
      if (req.url === "/moved") res.writeHead(302, { location: `http://127.0.0.2:${port}/elsewhere` }).end();
      else res.writeHead(204).end();
    });
    // On 127.0.0.2: a name that resolves to 127.0.0.1 (localhost) reaches it only when pinned.
    await new Promise<void>((r) => server.listen(0, "127.0.0.2", () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen.length = 0));

  const send = (url: string, address: string | null) =>
    sendWebhook({ url, headers: { "content-type": "application/json" }, body: "{}", address, timeoutMs: 5_000 });

  it("connects to the checked address while the Host header keeps the URL's name", async () => {
    expect(await send(`http://localhost:${port}/hook`, "127.0.0.2")).toEqual({ status: 204 });
    expect(seen).toEqual([{ host: `localhost:${port}`, path: "/hook" }]);
    // Unpinned, the same URL goes where the name resolves (127.0.0.1 or ::1), where nothing listens.
    expect(await send(`http://localhost:${port}/hook`, null)).toEqual({ failure: "network error" });
    expect(seen).toHaveLength(1);
  });

  it("does not follow a redirect: the 3xx is the attempt's answer", async () => {
    expect(await send(`http://127.0.0.2:${port}/moved`, null)).toEqual({ status: 302 });
    expect(seen.map((s) => s.path)).toEqual(["/moved"]);
  });

  it("answers a network error instead of throwing", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const gone = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await send(`http://127.0.0.1:${gone}/hook`, null)).toEqual({ failure: "network error" });
  });
});
