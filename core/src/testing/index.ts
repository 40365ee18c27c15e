/**
 * `@flowcraft/core/testing`: the in-memory fakes of the ports and the conformance suites every
 * adapter runs. For tests, benches and the simulator only: production code never imports this
 * entry (the boundary lint in eslint.base.mjs refuses it). The suites call jest's globals when
 * they are run (`describe…Conformance`), not when imported.
 */
export * from "./memory-store";
export * from "./memory-task-queue";
export * from "./memory-blob-store";
export * from "./manual-clock";
export * from "./conformance/conformance-case";
export * from "./conformance/store-conformance";
export * from "./conformance/task-queue-conformance";
export * from "./conformance/blob-store-conformance";
export * from "./conformance/governor-conformance";
