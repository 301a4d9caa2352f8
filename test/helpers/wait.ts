/** Waiting for a spawned process's output to match, shared by the helpers that spawn jt. */

export interface OutputWatch {
  /** Called by the helper whenever output arrives or the process exits. */
  readonly waiters: Set<() => void>;
  /** The output so far, of the stream waited on. */
  read(): string;
  /** Set once the process has exited: why it can no longer match ("jt exited (code 1…)"). */
  exited(): string | undefined;
  /** The error to reject with, given what went wrong (the helper adds the output so far). */
  failure(what: string): Error;
}

/**
 * Resolves with the first match of `pattern` (a string is a substring) in the output, checked now
 * and whenever it grows; rejects when the process exits without a match or `timeoutMs` passes.
 */
export function waitForMatch(
  watch: OutputWatch,
  pattern: string | RegExp,
  timeoutMs: number,
  streamName: string,
): Promise<RegExpMatchArray> {
  const regexp = typeof pattern === "string" ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : pattern;
  return new Promise((resolve, reject) => {
    const finish = (then: () => void) => {
      clearTimeout(timer);
      watch.waiters.delete(check);
      then();
    };
    const check = () => {
      const match = regexp.exec(watch.read());
      if (match) return finish(() => resolve(match));
      const exited = watch.exited();
      if (exited !== undefined) finish(() => reject(watch.failure(`${exited} before ${streamName} matched ${regexp}`)));
    };
    const timer = setTimeout(
      () => finish(() => reject(watch.failure(`${streamName} did not match ${regexp} within ${timeoutMs} ms`))),
      timeoutMs,
    );
    watch.waiters.add(check);
    check();
  });
}
