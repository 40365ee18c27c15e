/**
 * Options every function shares, applied before any function is defined. firebase-functions fixes
 * each function's deploy metadata (`__endpoint`) when the function is defined, so these must run
 * first: index.ts imports this module before any module that defines a function (ES imports run
 * in order, before the importing module's own statements).
 */
import { setGlobalOptions } from "firebase-functions/v2";
import { REGION } from "./params";

/** Instances per function. `runBatchRow` serves 8 rows each: 160 rows at most, above the queue cap. */
export const MAX_INSTANCES = 20;

// `region` is the param itself (not its value): the deploy manifest carries `{{ params.REGION }}`
// and the CLI resolves it, so functions, their task queue and the enqueuer's REGION.value() agree.
setGlobalOptions({ region: REGION, maxInstances: MAX_INSTANCES });
