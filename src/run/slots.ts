/**
 * `-j`: how many task actions run at once. Slots are held by actions, never by tasks waiting for
 * their prerequisites, and an action gives its slot back while it waits in `ctx.invoke`, so a
 * task waiting for others can never starve the pool (even with `-j 1`).
 */

/** A counting semaphore; waiters get slots in the order they asked. */
export class Semaphore {
  private used = 0;
  private readonly queue: (() => void)[] = [];

  /** `limit`: a whole number of at least 1, or Infinity (`-j` without a number). */
  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) || limit === Infinity) || limit < 1)
      throw new RangeError(`A semaphore needs at least one slot, got ${limit}`);
  }

  get inUse(): number {
    return this.used;
  }

  acquire(): Promise<void> {
    if (this.used < this.limit) {
      this.used += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter, so a newcomer cannot take it first.
    if (next) next();
    else this.used -= 1;
  }
}

/** One task's claim on a slot while its actions run. */
export class Lease {
  private held = true;
  private waits = 0;
  private ended = false;

  private constructor(private readonly slots: Semaphore) {}

  static async take(slots: Semaphore): Promise<Lease> {
    await slots.acquire();
    return new Lease(slots);
  }

  /** Runs `wait` without the slot (the action waits for other tasks), then takes a slot again. */
  async whileWaiting<T>(wait: () => Promise<T>): Promise<T> {
    this.waits += 1;
    this.giveBack();
    try {
      return await wait();
    } finally {
      this.waits -= 1;
      if (this.waits === 0 && !this.ended) await this.retake();
    }
  }

  /** The actions are over (or given up on): the slot is free for good. */
  end(): void {
    this.ended = true;
    this.giveBack();
  }

  private giveBack(): void {
    if (!this.held) return;
    this.held = false;
    this.slots.release();
  }

  private async retake(): Promise<void> {
    await this.slots.acquire();
    // Meanwhile the action may have started another wait, or been given up on: then it must not hold a slot.
    if (this.waits > 0 || this.ended || this.held) this.slots.release();
    else this.held = true;
  }
}
