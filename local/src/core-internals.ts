/** Store helpers from core used by the SQLite adapter, in one place. */
export {
  WriteBuffer,
  prepareWrite,
  applyWrite,
  planQuery,
  runQuery,
  parseDocPath,
  parseCollectionPath,
  type PreparedWrite,
  type WriteOp,
} from "@flowcraft/core";
