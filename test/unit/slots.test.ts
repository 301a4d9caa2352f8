/** The `-j` slots (src/run/slots.ts): a FIFO counting semaphore, and a task's lease that `ctx.invoke` gives back while it waits. */
import { describe, expect, test } from "vitest";
import { Lease, Semaphore } from "../../src/run/slots.js";

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("Semaphore", () => {
  test("up to the limit at once; then waiters get slots in the order they asked", async () => {
    const slots = new Semaphore(2);
    const order: string[] = [];
    await slots.acquire();
    await slots.acquire();
    expect(slots.inUse).toBe(2);
    void slots.acquire().then(() => order.push("c"));
    void slots.acquire().then(() => order.push("d"));
    await settle();
    expect(order).toEqual([]);
    slots.release();
    await settle();
    expect(order).toEqual(["c"]);
    slots.release();
    await settle();
    expect(order).toEqual(["c", "d"]);
    expect(slots.inUse).toBe(2);
    slots.release();
    slots.release();
    expect(slots.inUse).toBe(0);
  });

  test("a released slot goes to a waiter, not to a newcomer", async () => {
    const slots = new Semaphore(1);
    await slots.acquire();
    const order: string[] = [];
    void slots.acquire().then(() => order.push("waiter"));
    slots.release();
    void slots.acquire().then(() => order.push("newcomer"));
    await settle();
    expect(order).toEqual(["waiter"]);
  });

  test("at least one slot", () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
  });
});

describe("Lease", () => {
  test("holds a slot until it ends; ending twice frees it once", async () => {
    const slots = new Semaphore(1);
    const lease = await Lease.take(slots);
    expect(slots.inUse).toBe(1);
    lease.end();
    lease.end();
    expect(slots.inUse).toBe(0);
  });

  test("gives the slot back while it waits (with one slot, the task waited for can run), then takes one again", async () => {
    const slots = new Semaphore(1);
    const lease = await Lease.take(slots);
    const result = await lease.whileWaiting(async () => {
      const inner = await Lease.take(slots);
      inner.end();
      return "invoked";
    });
    expect(result).toBe("invoked");
    expect(slots.inUse).toBe(1);
    lease.end();
    expect(slots.inUse).toBe(0);
  });

  test("two waits at once: the slot is given back once and taken back once, after both", async () => {
    const slots = new Semaphore(1);
    const lease = await Lease.take(slots);
    let finishFirst!: () => void;
    const first = lease.whileWaiting(() => new Promise<void>((resolve) => (finishFirst = resolve)));
    const second = lease.whileWaiting(async () => {
      await settle();
      return slots.inUse;
    });
    expect(await second).toBe(0);
    finishFirst();
    await first;
    expect(slots.inUse).toBe(1);
    lease.end();
    expect(slots.inUse).toBe(0);
  });

  test("a wait that ends after the lease was given up on does not keep a slot", async () => {
    const slots = new Semaphore(1);
    const lease = await Lease.take(slots);
    let finish!: () => void;
    const waiting = lease.whileWaiting(() => new Promise<void>((resolve) => (finish = resolve)));
    lease.end();
    finish();
    await waiting;
    expect(slots.inUse).toBe(0);
  });

  test("a wait that starts while the slot is being taken back: the slot is not held during it", async () => {
    const slots = new Semaphore(1);
    const lease = await Lease.take(slots);
    // The first wait ends while another task holds the only slot, so taking it back has to queue.
    const first = lease.whileWaiting(async () => void (await slots.acquire()));
    await settle();
    let inUseDuringSecond = -1;
    const second = lease.whileWaiting(async () => {
      await settle();
      inUseDuringSecond = slots.inUse;
    });
    slots.release(); // the other task ends: the queued retake gets the slot, and must hand it on
    await Promise.all([first, second]);
    expect(inUseDuringSecond).toBe(0);
    expect(slots.inUse).toBe(1);
    lease.end();
    expect(slots.inUse).toBe(0);
  });
});
