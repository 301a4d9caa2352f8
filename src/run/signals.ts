/**
 * SIGINT / SIGTERM during a run: the first aborts the run's signal (running actions and `sh`
 * children stop, teardown still runs); a second one exits at once.
 */
import { ExitCode, Interrupted } from "../errors.js";

export function trapInterrupts(controller: AbortController, log: (line: string) => void, beforeForcedExit: () => void): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received += 1;
    if (received > 1) {
      log(`jt: ${signal} again, exiting now`);
      beforeForcedExit();
      process.exit(signal === "SIGTERM" ? ExitCode.sigterm : ExitCode.sigint);
    }
    const again = signal === "SIGINT" ? "press Ctrl-C again" : `send ${signal} again`;
    log(`jt: ${signal} received, stopping (${again} to exit at once)`);
    controller.abort(new Interrupted(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
