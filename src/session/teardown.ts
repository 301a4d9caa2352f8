/**
 * The end of a run: the environment's teardown (with a warning while it takes long), and what the
 * app left open after it.
 */
import { relative } from "node:path";
import { TaskFailure, type JtError } from "../errors.js";
import type { Environment } from "../run/environment.js";
import { millisecondsFromEnv } from "./session.js";

/** Runs the environment's teardown, warning while it takes long; returns its failure, if any. */
export async function tearDown(environment: Environment, log: (line: string) => void, trace: boolean): Promise<JtError | undefined> {
  if (trace) log("** Teardown environment");
  const warnAfter = millisecondsFromEnv("JT_TEARDOWN_WARN_MS", 3000);
  const started = Date.now();
  const warning = setInterval(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(`jt: still waiting for the environment's teardown after ${seconds}s (${relative(process.cwd(), environment.modulePath)})`);
  }, warnAfter);
  try {
    await environment.teardown();
    return undefined;
  } catch (error) {
    return new TaskFailure(error, ["environment (teardown)"]);
  } finally {
    clearInterval(warning);
  }
}

/** Resources active now that were not before (a multiset difference of their type names). */
function remainingSince(before: readonly string[]): string[] {
  const remaining = [...process.getActiveResourcesInfo()];
  for (const resource of before) {
    const index = remaining.indexOf(resource);
    if (index >= 0) remaining.splice(index, 1);
  }
  return remaining;
}

/**
 * What `remainingSince` reports once closes already under way have had `withinMs` to finish: a
 * socket the app ended in its teardown (pg's `pool.end()`), a pending connect or a file write of
 * jt's own is gone by then, so what is left is what the app left open.
 */
export async function remainingAfterSettling(before: readonly string[], withinMs = 250): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const remaining = remainingSince(before);
    if (remaining.length === 0 || Date.now() >= deadline) return remaining;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
