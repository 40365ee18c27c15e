/**
 * Store helpers from core that are not (yet) part of the public `@flowcraft/core` surface. Kept in
 * one file so switching to the package entry is a one-line change.
 */
export { prepareWrite, applyWrite, type PreparedWrite, type WriteOp } from "../../core/src/ports/doc-data";
export { planQuery, runQuery } from "../../core/src/ports/doc-query";
export { parseDocPath, parseCollectionPath } from "../../core/src/ports/doc-path";
