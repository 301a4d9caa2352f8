/**
 * Job hooks: the project's sets (its hooks module, OpenTelemetry) and a task's own, composed as
 * layers around enqueueing and running a job. Each set is one layer: its before hook, its around
 * hook wrapping the layers inside, its after hook. A hook that throws is reported as that hook's
 * failure; the task's own error passes through the layers as it was thrown.
 */
import type { EnqueuedJob, EnqueueingJob, JobHooks, PerformHooks, PerformingJob } from "../api/types.js";
import { Discard, Snooze } from "../api/job-outcomes.js";
import { JobHookFailed } from "../errors.js";
import { headline } from "../report/errors.js";

/** One layer of hooks and where it comes from, for the report of a failure ("jobs/hooks.ts", "task mail:welcome"). */
export interface HookSet {
  readonly hooks: JobHooks | PerformHooks<unknown>;
  readonly source: string;
}

/** `hook` of `set` threw `cause`. */
function hookFailed(hook: string, set: HookSet, cause: unknown): JobHookFailed {
  const name = "name" in set.hooks && set.hooks.name ? ` '${set.hooks.name}'` : "";
  return new JobHookFailed(hook, `The ${hook} hook${name} of ${set.source} failed: ${headline(cause)}`, cause);
}

/** What a hook throws that is not its failure: a job outcome (`Discard`, `Snooze`), or a failure passing through it. */
function passesThrough(error: unknown, passing: WeakSet<object>): boolean {
  return (
    error instanceof Discard ||
    error instanceof Snooze ||
    error instanceof JobHookFailed ||
    (typeof error === "object" && error !== null && passing.has(error))
  );
}

/** Marks `error` as one that passes through the layers outside (the task's, or the write's), and returns it to rethrow. */
function passingThrough(error: unknown, passing: WeakSet<object>): unknown {
  if (typeof error === "object" && error !== null) passing.add(error);
  return error;
}

async function call<T>(hook: string, set: HookSet, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Discard || error instanceof Snooze) throw error;
    throw hookFailed(hook, set, error);
  }
}

/**
 * Runs a job's task through the perform hooks of `sets` (outermost first). `perform` runs the
 * actions; what it rejects with, and any hook's failure from an inner layer, passes through an
 * around hook that rethrows it unchanged.
 */
export function performThroughHooks(
  sets: readonly HookSet[],
  job: PerformingJob,
  ctx: unknown,
  perform: () => Promise<unknown>,
): Promise<unknown> {
  const passing = new WeakSet<object>();
  const layer = (index: number): Promise<unknown> => {
    if (index === sets.length)
      return perform().catch((error: unknown) => {
        throw passingThrough(error, passing);
      });
    const set = sets[index]!;
    const { beforePerform, aroundPerform, afterPerform } = set.hooks as PerformHooks<unknown>;
    return (async () => {
      if (beforePerform) await call("beforePerform", set, () => beforePerform.call(set.hooks, job, ctx));
      let result: unknown;
      if (aroundPerform) {
        let called = false;
        const inner = () => {
          if (called) return Promise.reject(hookFailed("aroundPerform", set, new Error("it called perform() twice")));
          called = true;
          return layer(index + 1);
        };
        try {
          result = await aroundPerform.call(set.hooks, job, ctx, inner);
        } catch (error) {
          if (passesThrough(error, passing)) throw error;
          throw hookFailed("aroundPerform", set, error);
        }
      } else {
        result = await layer(index + 1);
      }
      if (afterPerform) await call("afterPerform", set, () => afterPerform.call(set.hooks, job, ctx, result));
      return result;
    })();
  };
  return layer(0);
}

/**
 * Enqueues `drafts` through the enqueue hooks of `sets`: each job's before and around hooks, then
 * one `write` of every job (one transaction, as `enqueueMany` promises), then each one's after
 * hooks. A hook that fails before the write refuses the whole batch: nothing is written.
 */
export async function enqueueThroughHooks(
  sets: readonly HookSet[],
  drafts: readonly EnqueueingJob[],
  write: () => Promise<EnqueuedJob[]>,
): Promise<EnqueuedJob[]> {
  const enqueueing = sets.filter((set) => {
    const hooks = set.hooks as JobHooks;
    return hooks.beforeEnqueue || hooks.aroundEnqueue || hooks.afterEnqueue;
  });
  if (enqueueing.length === 0) return write();
  // The write waits until every job's chain has reached it (or one has failed before it).
  let reached = 0;
  let startWrite!: () => void;
  let refuse!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    startWrite = resolve;
    refuse = reject;
  });
  ready.catch(() => {});
  const written = ready.then(write);
  written.catch(() => {});

  const passing = new WeakSet<object>();
  const chain = (draft: EnqueueingJob, index: number): Promise<EnqueuedJob> => {
    const layer = (depth: number): Promise<EnqueuedJob> => {
      if (depth === enqueueing.length) {
        reached += 1;
        if (reached === drafts.length) startWrite();
        return written.then((jobs) => jobs[index]!);
      }
      const set = enqueueing[depth]!;
      const { beforeEnqueue, aroundEnqueue } = set.hooks as JobHooks;
      return (async () => {
        if (beforeEnqueue) await call("beforeEnqueue", set, () => beforeEnqueue.call(set.hooks, draft));
        if (!aroundEnqueue) return layer(depth + 1);
        let inner: Promise<EnqueuedJob> | undefined;
        let job: EnqueuedJob | undefined;
        try {
          job = await aroundEnqueue.call(set.hooks, draft, () => {
            inner ??= layer(depth + 1).catch((error: unknown) => {
              throw passingThrough(error, passing);
            });
            return inner;
          });
        } catch (error) {
          if (passesThrough(error, passing)) throw error;
          throw hookFailed("aroundEnqueue", set, error);
        }
        if (inner === undefined)
          throw hookFailed("aroundEnqueue", set, new Error("it returned without calling enqueue(); to refuse a job, throw"));
        return job ?? (await inner);
      })();
    };
    return layer(0).catch((error: unknown) => {
      refuse(error);
      throw error;
    });
  };
  const settled = await Promise.allSettled(drafts.map(chain));
  const failure = settled.find((outcome) => outcome.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  const jobs = settled.map((outcome) => (outcome as PromiseFulfilledResult<EnqueuedJob>).value);
  for (const job of jobs) {
    // Inside out, as the layers unwind.
    for (const set of [...enqueueing].reverse()) {
      const { afterEnqueue } = set.hooks as JobHooks;
      if (afterEnqueue) await call("afterEnqueue", set, () => afterEnqueue.call(set.hooks, job));
    }
  }
  return jobs;
}

/**
 * The sets a hooks module's default export gives: one set (`{ beforePerform, … }`) or several
 * (`defineJobHooks(a, b)`), each checked.
 */
export function hookSetsOf(exported: unknown, source: string): HookSet[] {
  const list = Array.isArray(exported) ? (exported as unknown[]) : [exported];
  return list.map((hooks, index) => {
    const where = list.length > 1 ? `${source} (set ${index + 1})` : source;
    checkHooks(hooks, where);
    return { hooks: hooks as JobHooks, source };
  });
}

const HOOK_NAMES = ["beforeEnqueue", "aroundEnqueue", "afterEnqueue", "beforePerform", "aroundPerform", "afterPerform"];

/** A set of hooks: an object whose keys are hook names (and `name`), each a function. */
export function checkHooks(hooks: unknown, where: string): asserts hooks is JobHooks {
  if (typeof hooks !== "object" || hooks === null || Array.isArray(hooks))
    throw new TypeError(`${where} must export default defineJobHooks({ beforePerform, aroundPerform, … }), not ${typeof hooks}`);
  for (const [key, value] of Object.entries(hooks)) {
    if (key === "name") {
      if (typeof value !== "string") throw new TypeError(`${where}: a hook set's name must be a string`);
      continue;
    }
    if (!HOOK_NAMES.includes(key)) throw new TypeError(`${where}: '${key}' is not a job hook (the hooks are ${HOOK_NAMES.join(", ")})`);
    if (typeof value !== "function") throw new TypeError(`${where}: ${key} must be a function`);
  }
}
