/**
 * The lease heartbeat, on a thread of its own with its own store connection: a task that keeps the
 * main thread busy (CPU-bound work, a long synchronous call) cannot starve it, so a running job's
 * lease never expires while its worker is alive. Only a dead worker's leases expire. The same beat
 * records the worker itself (the dashboard's workers page): one that misses three is gone.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openStore, type StoreLocation } from "./store/open.js";
import type { WorkerBeat } from "./store/store.js";

interface Data {
  location: StoreLocation;
  worker: Omit<WorkerBeat, "running">;
  leaseMs: number;
  intervalMs: number;
}

type Message = { type: "update"; track: number[]; untrack: number[] } | { type: "stop" };

const { location, worker, leaseMs, intervalMs } = workerData as Data;
const store = await openStore(location, { connections: 1 });
const held = new Set<number>();

const beat = async () => {
  if (held.size > 0) await store.renewLeases(worker.id, [...held], leaseMs);
  await store.beatWorker({ ...worker, running: [...held] }, 3 * intervalMs + 1_000);
};
const report = (error: unknown) => parentPort!.postMessage({ type: "error", message: (error as Error).message });
const timer = setInterval(() => beat().catch(report), intervalMs);
await beat().catch(report);

parentPort!.on("message", (message: Message) => {
  if (message.type === "update") {
    for (const id of message.track) held.add(id);
    for (const id of message.untrack) held.delete(id);
  } else {
    clearInterval(timer);
    void store
      .stopWorker(worker.id)
      .catch(report)
      .finally(() => store.close())
      .finally(() => parentPort!.close());
  }
});
parentPort!.postMessage({ type: "ready" });
