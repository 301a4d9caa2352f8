/**
 * Tasks run at once (src/run/task-group.ts): the first failure aborts the others through their
 * signal, every one settles before the group does, and every failure is thrown, without the
 * ones that only stopped because of the abort.
 */
import { describe, expect, test } from "vitest";
import { ConcurrentFailures } from "../../src/errors.js";
import { Cancelled, combineFailures, isAbortOf, runConcurrently } from "../../src/run/task-group.js";

/** Resolves after `ms`, or rejects with the abort's reason. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("runConcurrently", () => {
  test("starts every item at once and resolves when all are done", async () => {
    const events: string[] = [];
    await runConcurrently(["a", "b", "c"], new AbortController().signal, async (item) => {
      events.push(`start ${item}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push(`end ${item}`);
    });
    expect(events.slice(0, 3)).toEqual(["start a", "start b", "start c"]);
    expect(events).toHaveLength(6);
  });

  test("a failure aborts the others (their signal says why) and waits for them to settle; the one failure is thrown as it is", async () => {
    const boom = new Error("boom");
    const seen: unknown[] = [];
    let settled = false;
    const error = await caught(
      runConcurrently(["fail", "wait"], new AbortController().signal, async (item, signal) => {
        if (item === "fail") throw boom;
        try {
          await sleep(10_000, signal);
        } catch (reason) {
          seen.push(signal.aborted, reason);
          await new Promise((resolve) => setTimeout(resolve, 20));
          settled = true;
          throw reason;
        }
      }),
    );
    expect(error).toBe(boom);
    expect(settled).toBe(true);
    expect(seen[0]).toBe(true);
    expect(seen[1]).toBeInstanceOf(Cancelled);
    expect((seen[1] as Cancelled).failure).toBe(boom);
  });

  test("every failure, in the order they happened: a task that fails on its own after the abort counts", async () => {
    const first = new Error("first");
    const second = new Error("second");
    const error = await caught(
      runConcurrently([1, 2, 3], new AbortController().signal, async (item, signal) => {
        if (item === 1) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw first;
        }
        if (item === 2) {
          await new Promise((resolve) => setTimeout(resolve, 30));
          throw second;
        }
        await sleep(10_000, signal);
      }),
    );
    expect(error).toBeInstanceOf(ConcurrentFailures);
    expect((error as ConcurrentFailures).failures).toEqual([first, second]);
    expect((error as ConcurrentFailures).exitCode).toBe(1);
  });

  test("aborting the parent signal aborts every item with the parent's reason", async () => {
    const parent = new AbortController();
    const reasons: unknown[] = [];
    const running = caught(
      runConcurrently(["a", "b"], parent.signal, async (_item, signal) => {
        await sleep(10_000, signal).catch((reason: unknown) => {
          reasons.push(reason);
          throw reason;
        });
      }),
    );
    const why = new Error("interrupted");
    parent.abort(why);
    expect(await running).toBe(why);
    expect(reasons).toEqual([why, why]);
  });

  test("an already aborted parent: the items see an aborted signal from the start", async () => {
    const parent = new AbortController();
    parent.abort(new Error("gone"));
    const aborted: boolean[] = [];
    await runConcurrently(["a"], parent.signal, async (_item, signal) => void aborted.push(signal.aborted));
    expect(aborted).toEqual([true]);
  });
});

describe("combineFailures", () => {
  test("one failure seen by several waiters is one failure; nested groups are flattened; cancellations are left out", () => {
    const a = new Error("a");
    const b = new Error("b");
    const c = new Error("c");
    expect(combineFailures([a, a, new Cancelled(a)])).toBe(a);
    const combined = combineFailures([new ConcurrentFailures([a, b]), b, c]) as ConcurrentFailures;
    expect(combined.failures).toEqual([a, b, c]);
  });

  test("when every task only stopped, the first of those is thrown", () => {
    const cancelled = new Cancelled(new Error("elsewhere"));
    expect(combineFailures([cancelled, new Cancelled(1)])).toBe(cancelled);
  });
});

describe("isAbortOf", () => {
  test("the abort's reason, an AbortError, or an error caused by the reason; nothing before the abort", () => {
    const controller = new AbortController();
    const abortError = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
    expect(isAbortOf(abortError, controller.signal)).toBe(false);
    controller.abort(new Cancelled(new Error("x")));
    expect(isAbortOf(controller.signal.reason, controller.signal)).toBe(true);
    expect(isAbortOf(abortError, controller.signal)).toBe(true);
    expect(isAbortOf(new Error("stopped", { cause: controller.signal.reason }), controller.signal)).toBe(true);
    expect(isAbortOf(new Error("a failure of its own"), controller.signal)).toBe(false);
    expect(isAbortOf("a string", controller.signal)).toBe(false);
  });
});
