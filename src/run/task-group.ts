/**
 * Tasks run at once (the prerequisites of a multitask) under one AbortController linked to the
 * signal of whoever runs them, ultimately the run's, so an interrupt still reaches every one. The
 * first failure aborts the others through their signal; once every one has settled, all the
 * failures are thrown together, and the ones that only stopped because of the abort are left out.
 */
import { setMaxListeners } from "node:events";
import { ConcurrentFailures, messageOf } from "../errors.js";

/** Why a task stopped early: a task running alongside it failed. Never reported as a failure of its own. */
export class Cancelled extends Error {
  constructor(readonly failure: unknown) {
    super(`Stopped because a task running alongside failed: ${messageOf(failure)}`);
    this.name = "Cancelled";
  }
}

/**
 * Whether what a task threw is its way of stopping on `signal`'s abort: the reason itself
 * (`signal.throwIfAborted()`), or an AbortError (`timers/promises`, `events.once`, a stopped `sh`
 * command). Anything else is a failure of its own, even after the abort.
 */
export function isAbortOf(thrown: unknown, signal: AbortSignal): boolean {
  if (!signal.aborted) return false;
  if (thrown === signal.reason || thrown instanceof Cancelled) return true;
  return thrown instanceof Error && (thrown.name === "AbortError" || thrown.cause === signal.reason);
}

export async function runConcurrently<T>(
  items: readonly T[],
  parent: AbortSignal,
  start: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  // Every member (and its actions, commands and user code) listens to this one signal: no leak to warn about.
  setMaxListeners(0, controller.signal);
  const follow = () => controller.abort(parent.reason);
  if (parent.aborted) follow();
  else parent.addEventListener("abort", follow, { once: true });
  const thrown: unknown[] = [];
  try {
    await Promise.all(
      items.map(async (item) => {
        try {
          await start(item, controller.signal);
        } catch (error) {
          thrown.push(error);
          if (!controller.signal.aborted) controller.abort(error instanceof Cancelled ? error : new Cancelled(error));
        }
      }),
    );
  } finally {
    parent.removeEventListener("abort", follow);
  }
  if (thrown.length > 0) throw combineFailures(thrown);
}

/**
 * What a group throws: its one failure, or every distinct one (a task that failed is seen by
 * each task waiting for it, and nested groups report theirs already combined). When every task
 * only stopped because of an abort, the first of those.
 */
export function combineFailures(thrown: readonly unknown[]): unknown {
  const all = thrown.flatMap((error) => (error instanceof ConcurrentFailures ? error.failures : [error]));
  const failures = [...new Set(all)].filter((error) => !(error instanceof Cancelled));
  if (failures.length === 0) return thrown[0];
  return failures.length === 1 ? failures[0] : new ConcurrentFailures(failures);
}
