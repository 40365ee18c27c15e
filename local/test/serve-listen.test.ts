/** `serve` on a port it cannot take says so in one line and exits 1, without a stack trace. */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { LOCAL, buildBundles, runNode } from "./support/child";

beforeAll(() => buildBundles());

it("serve on a port already in use: one message naming the port and --port, exit 1, data directory released", async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fc-listen-"));
  try {
    const r = await runNode(path.join(LOCAL, "dist/main.js"), ["serve", "--port", String(port), "--data-dir", path.join(dir, "data")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(r.stderr).toContain("--port");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
