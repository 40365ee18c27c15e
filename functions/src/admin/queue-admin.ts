/**
 * Operator CLI for the row task queue: the one place `@google-cloud/tasks` is used. Pausing,
 * resuming, purging and reading the queue's settings are Cloud Tasks admin operations that firebase-admin's
 * task queue client (enqueue/delete only) cannot do. Not part of the deployed bundle (index.ts never
 * imports it); runs on an operator's machine with Application Default Credentials:
 *   npm run queue:admin -w functions -- show|pause|resume|purge --project P [--region us-central1]
 * Pausing stops dispatch (rows wait, nothing is lost); the reconciler re-drives after a purge.
 */
import { CloudTasksClient } from "@google-cloud/tasks";
import { ROW_TASK_FUNCTION } from "../config/function-options";

type Command = "show" | "pause" | "resume" | "purge";

function flag(args: string[], name: string, fallback?: string): string {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? args[at + 1] : fallback;
  if (!value) throw new Error(`--${name} is required`);
  return value;
}

async function main(args: string[]): Promise<void> {
  const command = args[0] as Command | undefined;
  if (!command || !["show", "pause", "resume", "purge"].includes(command)) {
    throw new Error("usage: queue-admin show|pause|resume|purge --project P [--region R]");
  }
  const client = new CloudTasksClient();
  const name = client.queuePath(flag(args, "project"), flag(args, "region", "us-central1"), ROW_TASK_FUNCTION);
  const queue = await run(client, command, name);
  process.stdout.write(
    `${JSON.stringify({ command, name: queue.name, state: queue.state, rateLimits: queue.rateLimits, retryConfig: queue.retryConfig }, null, 2)}\n`,
  );
  await client.close();
}

async function run(client: CloudTasksClient, command: Command, name: string) {
  switch (command) {
    case "pause":
      return (await client.pauseQueue({ name }))[0];
    case "resume":
      return (await client.resumeQueue({ name }))[0];
    case "purge":
      return (await client.purgeQueue({ name }))[0];
    case "show":
      return (await client.getQueue({ name }))[0];
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
