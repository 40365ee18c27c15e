/** Public surface of @flowcraft/core. Hosts import from here only. */
export * from "./errors";
export * from "./logger";
export * from "./flow/schema";
export * from "./ai/port";
export * from "./engine/types";
export * from "./ports/store";
export * from "./ports/task-queue";
export * from "./ports/blob-store";
export * from "./ports/clock";
export * from "./batch/model";
export * from "./batch/limits";
export * from "./batch/api";
export * from "./csv/read";
export * from "./csv/write";
export * from "./csv/utf8";
