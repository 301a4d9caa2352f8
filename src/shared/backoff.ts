/**
 * Retry delays (pure). A job that fails with attempts left runs again after `retryDelayMs`.
 */

/** How long to wait before the next attempt. */
export type Backoff = "polynomial" | "exponential" | number; // number: a fixed delay in seconds

/** The longest "exponential" delay: past about 12 runs, 2^n would be days. */
const EXPONENTIAL_CAP_S = 60 * 60;

/**
 * Delay in ms before the run after `runsSoFar` runs (1 = the first run just failed).
 * `random` returns a number in [0, 1), like Math.random (the default); tests pass a fixed one.
 *
 * - "polynomial" (the default) is Sidekiq's: count⁴ + 15 s plus a jitter of a whole number of
 *   seconds in [0, 10·(count + 1)), where count = runsSoFar − 1 is Sidekiq's retry_count (0 for the
 *   first retry). That is Sidekiq 8 (`rand(10 * (count + 1))` in job_retry.rb); Sidekiq 6.2–7 drew
 *   `rand(10) * (count + 1)`, about the same range in coarser steps. About 15 s, 16 s, 31 s,
 *   96 s, 271 s… plus jitter; 25 retries span about 20 days.
 * - "exponential": 2^runsSoFar s, ±10 % jitter, never more than an hour.
 * - a number: exactly that many seconds.
 */
export function retryDelayMs(backoff: Backoff | undefined, runsSoFar: number, random: () => number = Math.random): number {
  if (!Number.isInteger(runsSoFar) || runsSoFar < 1)
    throw new RangeError(`runsSoFar must be a whole number of at least 1, not ${runsSoFar}`);
  const problem = backoff === undefined ? undefined : validateBackoff(backoff);
  if (problem !== undefined) throw new RangeError(problem);
  // An injected random may return exactly 1 (or stray outside [0, 1)); keep draws in range.
  const draw = () => Math.min(Math.max(random(), 0), 1 - Number.EPSILON);

  if (typeof backoff === "number") return Math.round(backoff * 1000);
  if (backoff === "exponential") {
    const base = Math.min(2 ** runsSoFar, EXPONENTIAL_CAP_S); // 2 ** 1024 is Infinity, which min() also caps
    const jittered = base * (0.9 + 0.2 * draw());
    // Capped, jittered, capped again: never over the hour, and capped retries still spread over [54, 60] min.
    return Math.round(Math.min(jittered, EXPONENTIAL_CAP_S) * 1000);
  }
  const count = runsSoFar - 1;
  const jitter = Math.floor(draw() * 10 * (count + 1));
  return (count ** 4 + 15 + jitter) * 1000;
}

/** Why `value` is not a Backoff, or undefined when it is one. */
export function validateBackoff(value: unknown): string | undefined {
  if (value === "polynomial" || value === "exponential") return undefined;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) return `a fixed backoff must be a finite number of seconds ≥ 0, not ${value}`;
    return undefined;
  }
  return `backoff must be "polynomial", "exponential" or a number of seconds, not ${typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : typeof value}`;
}
