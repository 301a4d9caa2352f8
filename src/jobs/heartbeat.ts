/** The worker's side of the heartbeat thread (heartbeat-thread.ts): tell it which jobs we hold. */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { JT_DIST } from "../package-paths.js";
import type { StoreLocation } from "./store/open.js";
import type { WorkerBeat } from "./store/store.js";

export class Heartbeat {
  private readonly thread: Worker;
  readonly ready: Promise<void>;

  constructor(location: StoreLocation, worker: Omit<WorkerBeat, "running">, leaseMs: number, onError: (message: string) => void) {
    this.thread = new Worker(join(JT_DIST, "jobs", "heartbeat-thread.js"), {
      // At least every 5 s, so the dashboard sees a worker go within seconds whatever the lease.
      workerData: { location, worker, leaseMs, intervalMs: Math.max(50, Math.min(5_000, Math.floor(leaseMs / 3))) },
    });
    this.ready = new Promise((resolve, reject) => {
      this.thread.once("error", reject);
      this.thread.on("message", (message: { type: string; message?: string }) => {
        if (message.type === "ready") resolve();
        else if (message.type === "error") onError(message.message ?? "");
      });
    });
  }

  /** Runs of each job held now: a job retried at once can start its next attempt before the last one's cleanup. */
  private readonly held = new Map<number, number>();

  /** Releases not yet told to the thread: sent once per turn of the event loop, not once per job. */
  private readonly released = new Set<number>();

  /** Told at once, before the jobs start: one may keep the main thread busy from its first instant. */
  track(ids: readonly number[]): void {
    const fresh: number[] = [];
    for (const id of ids) {
      const count = this.held.get(id) ?? 0;
      this.held.set(id, count + 1);
      if (count > 0) continue;
      this.released.delete(id);
      fresh.push(id);
    }
    if (fresh.length > 0) this.thread.postMessage({ type: "update", track: fresh, untrack: [] });
  }

  untrack(id: number): void {
    const count = (this.held.get(id) ?? 1) - 1;
    if (count > 0) {
      this.held.set(id, count);
      return;
    }
    this.held.delete(id);
    if (this.released.size === 0) {
      setImmediate(() => {
        const untrack = [...this.released];
        this.released.clear();
        if (untrack.length > 0) this.thread.postMessage({ type: "update", track: [], untrack });
      });
    }
    this.released.add(id);
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.thread.once("exit", () => resolve()));
    this.thread.postMessage({ type: "stop" });
    await exited;
  }
}
