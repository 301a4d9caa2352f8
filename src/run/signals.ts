/**
 * SIGINT / SIGTERM during a run: the first aborts the run's signal (running actions and `sh`
 * children stop, teardown still runs); a second one exits at once.
 */
import { ExitCode, Interrupted } from "../errors.js";

export interface InterruptWaits {
  /** The tasks still running, which the run waits for. */
  running(): readonly string[];
  graceMs: number;
}

export function trapInterrupts(
  controller: AbortController,
  log: (line: string) => void,
  beforeForcedExit: () => void,
  waits?: InterruptWaits,
): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received += 1;
    if (received > 1) {
      log(`jt: ${signal} again, exiting now`);
      beforeForcedExit();
      process.exit(signal === "SIGTERM" ? ExitCode.sigterm : ExitCode.sigint);
    }
    const again = signal === "SIGINT" ? "press Ctrl-C again" : `send ${signal} again`;
    log(`jt: ${signal} received, ${stoppingWhat(waits)} (${again} to exit at once)`);
    controller.abort(new Interrupted(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/** `stopping users:load (waiting up to 10s for it to end)`, or just `stopping` when no action runs. */
function stoppingWhat(waits: InterruptWaits | undefined): string {
  const running = waits?.running() ?? [];
  if (running.length === 0) return "stopping";
  const grace = waits!.graceMs < 1000 ? `${waits!.graceMs}ms` : `${Math.round(waits!.graceMs / 1000)}s`;
  return `stopping ${running.join(", ")} (waiting up to ${grace} for ${running.length === 1 ? "it" : "them"} to end)`;
}
