/**
 * What a task running as a background job can throw (or return) to steer its job: `Discard` fails
 * it now, for good, with a reason; `Snooze` runs it again later without using an attempt. In a
 * terminal run (`jt name`) a thrown one is the task's failure like any error, and a returned one
 * is ignored.
 */
import { formatDuration, parseDuration } from "../shared/duration.js";

/** `throw new Discard("the account is closed")`: the job fails now, without its retries; the reason is its error. */
export class Discard extends Error {
  override readonly name = "Discard";
  constructor(readonly reason = "discarded by its task") {
    super(reason);
  }
}

/** `throw new Snooze("5m")` (or return it): the job runs again after that long, and this run does not count as an attempt. */
export class Snooze extends Error {
  override readonly name = "Snooze";
  /** How long until it runs again. */
  readonly waitMs: number;
  constructor(wait: string | number) {
    const waitMs = parseDuration(wait);
    if (waitMs === undefined)
      throw new TypeError(`Snooze takes a duration like "30s" or "5m", or milliseconds, not ${JSON.stringify(wait)}`);
    super(`snoozed for ${formatDuration(waitMs)}`);
    this.waitMs = waitMs;
  }
}
