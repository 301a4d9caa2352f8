/**
 * The lease heartbeat, on a thread of its own with its own store connection: a task that keeps the
 * main thread busy (CPU-bound work, a long synchronous call) cannot starve it, so a running job's
 * lease never expires while its worker is alive. Only a dead worker's leases expire.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openStore, type StoreLocation } from "./store/open.js";

interface Data {
  location: StoreLocation;
  workerId: string;
  leaseMs: number;
  intervalMs: number;
}

type Message = { type: "update"; track: number[]; untrack: number[] } | { type: "stop" };

const { location, workerId, leaseMs, intervalMs } = workerData as Data;
const store = await openStore(location, { connections: 1 });
const held = new Set<number>();

const renew = async () => {
  if (held.size > 0) await store.renewLeases(workerId, [...held], leaseMs);
};
const timer = setInterval(() => {
  renew().catch((error: unknown) => parentPort!.postMessage({ type: "error", message: (error as Error).message }));
}, intervalMs);

parentPort!.on("message", (message: Message) => {
  if (message.type === "update") {
    for (const id of message.track) held.add(id);
    for (const id of message.untrack) held.delete(id);
  } else {
    clearInterval(timer);
    void store.close().finally(() => parentPort!.close());
  }
});
parentPort!.postMessage({ type: "ready" });
