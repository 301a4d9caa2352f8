/** Pausing and resuming a queue, a task or a schedule, for the CLI and the dashboard alike. */
import type { JobStore, Pause, PauseKind } from "./store/store.js";

/** The names paused as `kind`. */
export function pausedNames(pauses: readonly Pause[], kind: PauseKind): Set<string> {
  return new Set(pauses.filter((p) => p.kind === kind).map((p) => p.name));
}

/** Pauses or resumes; returns what it did: "Paused queue mail", "Already paused: queue mail", "Not paused: task x". */
export async function togglePause(store: JobStore, kind: PauseKind, name: string, pause: boolean): Promise<string> {
  const changed = pause ? await store.pause(kind, name) : await store.resume(kind, name);
  const what = `${kind} ${name}`;
  if (pause) return changed ? `Paused ${what}` : `Already paused: ${what}`;
  return changed ? `Resumed ${what}` : `Not paused: ${what}`;
}
