/**
 * Who is waiting for whom among running tasks. Before a task waits for one already in flight,
 * the runner asks whether that one is (transitively) waiting for it: then waiting would never
 * end (a task whose action invokes its own parent, or two actions invoking each other), and the
 * task is treated as already invoked, as Rake does when the same thread re-enters a task.
 */
export class WaitGraph<Node> {
  /** waiter → the nodes it waits for, with how many waits are pending on each. */
  private readonly edges = new Map<Node, Map<Node, number>>();

  /** Whether `waiter` waiting for `target` would close a cycle (`target` already waits for `waiter`). */
  wouldDeadlock(waiter: Node, target: Node): boolean {
    if (waiter === target) return true;
    const seen = new Set<Node>([target]);
    const stack = [target];
    while (stack.length > 0) {
      const at = stack.pop()!;
      for (const next of this.edges.get(at)?.keys() ?? []) {
        if (next === waiter) return true;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(next);
      }
    }
    return false;
  }

  add(waiter: Node, target: Node): void {
    let targets = this.edges.get(waiter);
    if (!targets) {
      targets = new Map();
      this.edges.set(waiter, targets);
    }
    targets.set(target, (targets.get(target) ?? 0) + 1);
  }

  remove(waiter: Node, target: Node): void {
    const targets = this.edges.get(waiter);
    const count = targets?.get(target);
    if (!targets || count === undefined) return;
    if (count > 1) targets.set(target, count - 1);
    else targets.delete(target);
    if (targets.size === 0) this.edges.delete(waiter);
  }
}
