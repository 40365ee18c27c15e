/** Public surface of the local host package: the host, its adapters and the HTTP server. */
export { createLocalHost, LOCAL_OWNER, type LocalHost, type LocalHostOptions } from "./local-host";
export { createApiServer, listen, type ApiServerOptions } from "./http/server";
export { SqliteStore } from "./sqlite/sqlite-store";
export { SqliteTaskQueue } from "./sqlite/sqlite-task-queue";
export { DiskBlobStore } from "./disk-blob-store";
export { openDb } from "./sqlite/open-db";
