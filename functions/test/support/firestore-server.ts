/**
 * A Firestore-compatible server for adapter tests: the official emulator when
 * FIRESTORE_EMULATOR_HOST is set, otherwise `@firestore-emulator/server` (pure Node, gRPC) bound
 * to 127.0.0.1 on a free port. The latter serves single-client reads, writes, queries and counts,
 * but commits a request's writes one by one and gives transactions no isolation.
 */
import path from "node:path";
import { FirestoreServer } from "@firestore-emulator/server";
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";

export interface TestFirestore {
  kind: "official-emulator" | "node-server";
  db: Firestore;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

interface GrpcServerLike {
  bindAsync(address: string, creds: unknown, cb: (err: Error | null, port: number) => void): void;
}

async function startNodeServer(): Promise<{ server: FirestoreServer; host: string }> {
  const server = new FirestoreServer();
  // Bind only to loopback (FirestoreServer.start binds 0.0.0.0): use its own grpc-js build.
  const grpcPath = require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@firestore-emulator/server"))] });
  const grpc = (await import(grpcPath)) as { ServerCredentials: { createInsecure(): unknown } };
  const inner = (server as unknown as { server: GrpcServerLike }).server;
  const port = await new Promise<number>((resolve, reject) =>
    inner.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, host: `127.0.0.1:${port}` };
}

export async function startTestFirestore(projectId: string): Promise<TestFirestore> {
  const official = process.env.FIRESTORE_EMULATOR_HOST;
  let node: FirestoreServer | null = null;
  if (!official) {
    const started = await startNodeServer();
    node = started.server;
    process.env.FIRESTORE_EMULATOR_HOST = started.host;
  }
  const app: App = initializeApp({ projectId }, `firestore-test-${projectId}`);
  const db = getFirestore(app);
  return {
    kind: official ? "official-emulator" : "node-server",
    db,
    reset: async () => {
      if (node) node.state.clear();
      else await clearOfficial(projectId);
    },
    stop: async () => {
      await db.terminate();
      await deleteApp(app);
      if (node) {
        node.stop();
        delete process.env.FIRESTORE_EMULATOR_HOST;
      }
    },
  };
}

async function clearOfficial(projectId: string): Promise<void> {
  const host = process.env.FIRESTORE_EMULATOR_HOST ?? "";
  const res = await fetch(`http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: "DELETE" });
  if (!res.ok) throw new Error(`emulator reset failed: ${res.status}`);
}
