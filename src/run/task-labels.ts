/**
 * The output of tasks that run at once (a multitask's prerequisites) labelled with their names,
 * one line at a time, as go-task prefixes it:
 *
 *   [lint] src/a.ts: ok
 *   [test] 12 passed
 *
 * Which task writes is known from the async context its action runs in (AsyncLocalStorage, which
 * costs every promise a little: it is used only while a labelled action runs). Output outside
 * labelled actions (a single task, a multitask's own action, jt's trace) passes as it is.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { LineSplitter } from "../report/line-splitter.js";
import { hookWrites, type StreamName, type WriteHook } from "../report/write-hook.js";

const currentTask = new AsyncLocalStorage<string>();
const unfinished = new LineSplitter<string>();
let hook: WriteHook | undefined;
let running = 0;

/** Runs `action` with what it writes labelled `[label]`. */
export async function runLabelled<T>(label: string, action: () => T): Promise<Awaited<T>> {
  if (running++ === 0) hook = hookWrites(labelWrite);
  try {
    return await currentTask.run(label, action);
  } finally {
    // A line the task left unfinished ends with its action: the next task's line must not continue it.
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = unfinished.take(key(label, stream));
      if (rest !== undefined) hook?.raw[stream](`[${label}] ${rest}\n`);
    }
    if (--running === 0) {
      hook?.remove();
      hook = undefined;
      currentTask.disable();
    }
  }
}

/** A whole line written for the running task past process.stdout (a worker's sh output), with its label if it has one. */
export function labelLine(line: string): string {
  const label = running > 0 ? currentTask.getStore() : undefined;
  return label === undefined ? line : `[${label}] ${line}`;
}

function labelWrite(stream: StreamName, text: string): void {
  const label = currentTask.getStore();
  if (label === undefined) {
    hook?.raw[stream](text);
    return;
  }
  const lines = unfinished.add(key(label, stream), text);
  if (lines.length > 0) hook?.raw[stream](lines.map((line) => `[${label}] ${line}\n`).join(""));
}

function key(label: string, stream: StreamName): string {
  return `${stream}:${label}`;
}
