/**
 * `--job-stats` (Rake's): after a successful run, how many task actions ran at most at once and in
 * all; `--job-stats history` adds when each started and ended. jt runs actions as promises, not on
 * a thread pool, so it counts actions where Rake counts threads.
 */
export interface JobStats {
  started(task: string): void;
  ended(task: string, outcome: "finished" | "failed"): void;
  report(): string;
}

export function jobStats(withHistory: boolean, now: () => bigint = process.hrtime.bigint): JobStats {
  const origin = now();
  let active = 0;
  let maximum = 0;
  let total = 0;
  const history: string[] = [];
  const record = (event: string, task: string) => {
    if (!withHistory) return;
    const micros = Number((now() - origin) / 1000n);
    history.push(`${String(micros).padStart(8)} ${event.padEnd(20)} ${task}\n`);
  };
  return {
    started(task) {
      active += 1;
      total += 1;
      maximum = Math.max(maximum, active);
      record("started", task);
    },
    ended(task, outcome) {
      active -= 1;
      record(outcome, task);
    },
    report() {
      const summary = `Maximum active tasks: ${maximum}\nTotal tasks run:      ${total}\n`;
      return withHistory ? `${summary}Job History:\n${history.join("")}` : summary;
    },
  };
}
