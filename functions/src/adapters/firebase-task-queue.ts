/**
 * The TaskQueue port over firebase-admin's task queue client (Cloud Tasks through the Firebase
 * Functions API). It also works against the emulator suite's Cloud Tasks emulator, which the gRPC
 * `@google-cloud/tasks` client cannot reach. Queue name is regional
 * (`locations/<region>/functions/<name>`: a bare name would mean us-central1); ids are the core's
 * deterministic task ids; `task-already-exists` means the task is queued, running or recently done.
 * `uri` (the function's Cloud Run URL) is passed only outside the emulator: the emulator routes by
 * queue name and needs no URL (firebase-admin leaves the URL empty when CLOUD_TASKS_EMULATOR_HOST
 * is set).
 */
import type { Functions, TaskOptions } from "firebase-admin/functions";
import type { Logger, TaskQueue } from "@flowcraft/core";

export interface FirebaseTaskQueueOptions {
  functions: Functions;
  region: string;
  functionName: string;
  /** How long Cloud Tasks waits for one delivery (15–1800 s): match the function's timeout. */
  dispatchDeadlineSeconds: number;
  /** The target function's URL, resolved once; undefined lets the SDK use its default URL. */
  resolveUri?: () => Promise<string | undefined>;
  /** True under the emulator suite (no `uri`). Default: read from the environment. */
  emulated?: boolean;
  logger?: Logger;
}

export function isEmulated(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.FUNCTIONS_EMULATOR === "true" || Boolean(env.CLOUD_TASKS_EMULATOR_HOST);
}

export class FirebaseTaskQueue<P extends Record<string, unknown> | object> implements TaskQueue<P> {
  private readonly queueName: string;
  private readonly emulated: boolean;

  constructor(private readonly opts: FirebaseTaskQueueOptions) {
    this.queueName = `locations/${opts.region}/functions/${opts.functionName}`;
    this.emulated = opts.emulated ?? isEmulated();
  }

  async enqueue(task: { id: string; payload: P; delayMs?: number }): Promise<"enqueued" | "exists"> {
    const options: TaskOptions = { id: task.id, dispatchDeadlineSeconds: this.opts.dispatchDeadlineSeconds };
    if (task.delayMs !== undefined && task.delayMs > 0) options.scheduleDelaySeconds = Math.ceil(task.delayMs / 1000);
    if (!this.emulated && this.opts.resolveUri) {
      const uri = await this.opts.resolveUri();
      if (uri) options.uri = uri;
    }
    try {
      await this.opts.functions.taskQueue<P>(this.queueName).enqueue(task.payload, options);
      return "enqueued";
    } catch (err) {
      if (isTaskExists(err)) return "exists";
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    // The SDK ignores a 404 (task absent or already dispatched), which is the port's contract.
    await this.opts.functions.taskQueue(this.queueName).delete(id);
  }
}

export function isTaskExists(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "functions/task-already-exists" || code === "task-already-exists";
}
