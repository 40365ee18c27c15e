/** The core Logger port over the Cloud Functions structured logger (fields land in jsonPayload). */
import * as functionsLogger from "firebase-functions/logger";
import type { Logger } from "@flowcraft/core";

export const functionsLoggerAdapter: Logger = {
  debug: (fields, msg) => functionsLogger.debug(msg, fields),
  info: (fields, msg) => functionsLogger.info(msg, fields),
  warn: (fields, msg) => functionsLogger.warn(msg, fields),
  error: (fields, msg) => functionsLogger.error(msg, fields),
};
