/** Pausing and resuming a queue, a task or a schedule, for the CLI and the dashboard alike. */
import type { JobStore, PauseKind } from "./store/store.js";

/** Pauses or resumes; returns what it did: "Paused queue mail", "Already paused: queue mail", "Not paused: task x". */
export async function togglePause(store: JobStore, kind: PauseKind, name: string, pause: boolean): Promise<string> {
  const changed = pause ? await store.pause(kind, name) : await store.resume(kind, name);
  const what = `${kind} ${name}`;
  if (pause) return changed ? `Paused ${what}` : `Already paused: ${what}`;
  return changed ? `Resumed ${what}` : `Not paused: ${what}`;
}
