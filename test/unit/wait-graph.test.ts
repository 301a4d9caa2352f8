/** Who waits for whom (src/run/wait-graph.ts): a wait that would close a cycle is refused, so a re-entrant invoke never hangs. */
import { describe, expect, test } from "vitest";
import { WaitGraph } from "../../src/run/wait-graph.js";

describe("WaitGraph", () => {
  test("waiting for yourself would never end", () => {
    expect(new WaitGraph<string>().wouldDeadlock("a", "a")).toBe(true);
  });

  test("a task invoking its parent, which waits for it: refused; unrelated waits are fine", () => {
    const waits = new WaitGraph<string>();
    waits.add("parent", "child");
    expect(waits.wouldDeadlock("child", "parent")).toBe(true);
    expect(waits.wouldDeadlock("child", "other")).toBe(false);
    expect(waits.wouldDeadlock("parent", "other")).toBe(false);
  });

  test("through a chain: a waits b, b waits c; c may not wait for a", () => {
    const waits = new WaitGraph<string>();
    waits.add("a", "b");
    waits.add("b", "c");
    expect(waits.wouldDeadlock("c", "a")).toBe(true);
    expect(waits.wouldDeadlock("a", "c")).toBe(false);
  });

  test("a shared prerequisite (a diamond) is no cycle", () => {
    const waits = new WaitGraph<string>();
    waits.add("top", "left");
    waits.add("top", "right");
    waits.add("left", "shared");
    expect(waits.wouldDeadlock("right", "shared")).toBe(false);
  });

  test("a wait that ended no longer counts; the same wait twice needs two removals", () => {
    const waits = new WaitGraph<string>();
    waits.add("a", "b");
    waits.add("a", "b");
    waits.remove("a", "b");
    expect(waits.wouldDeadlock("b", "a")).toBe(true);
    waits.remove("a", "b");
    expect(waits.wouldDeadlock("b", "a")).toBe(false);
    waits.remove("a", "b");
    expect(waits.wouldDeadlock("b", "a")).toBe(false);
  });
});
