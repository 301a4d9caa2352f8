/**
 * The planner with a real Registry: Rake's invocation order (and its --trace
 * lines), run-once, cycles, unknown names, how args flow, very deep chains, and the shared
 * InvokedSet that `ctx.invoke` plans against.
 */
import { describe, expect, test } from "vitest";
import { DefinitionError, UsageError } from "../../src/errors.js";
import { invocationChain, plan, unknownTask, type InvokedSet, type Plan, type PlanStep } from "../../src/plan/plan.js";
import { Registry, type DefineOptions } from "../../src/registry/registry.js";

type Defs = Record<string, DefineOptions | string[]>;

/** A registry with tasks defined at the top level (names may contain ':'). */
function registry(defs: Defs): Registry {
  const r = new Registry();
  for (const [name, def] of Object.entries(defs)) r.define(name, Array.isArray(def) ? { deps: def } : def, undefined, undefined);
  return r;
}

/** A step as Rake's --trace prints it (without the trailing space Rake leaves when there are no flags). */
function line(step: PlanStep): string {
  return step.kind === "invoke" ? `Invoke ${step.task.name}${step.firstTime ? " (first_time)" : ""}` : `Execute ${step.planned.task.name}`;
}

function trace(p: Plan): string[] {
  return p.steps.map(line);
}

function targets(...words: string[]) {
  return words.map((name) => ({ name, values: [] as string[] }));
}

/** What planning throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected plan() to throw");
}

/** The reference's c3/c5 graph: a => [b, c], b => d, c => d. */
const DIAMOND: Defs = { a: ["b", "c"], b: ["d"], c: ["d"], d: [], x: [] };

describe("order and run-once", () => {
  test("depth-first, prerequisites in order, each executed once (rake -n a)", () => {
    expect(trace(plan(targets("a"), registry(DIAMOND)))).toEqual([
      "Invoke a (first_time)",
      "Invoke b (first_time)",
      "Invoke d (first_time)",
      "Execute d",
      "Execute b",
      "Invoke c (first_time)",
      "Invoke d",
      "Execute c",
      "Execute a",
    ]);
  });

  test("a repeated target is invoked again but not executed (rake --dry-run a a)", () => {
    const steps = trace(plan(targets("a", "a"), registry(DIAMOND)));
    expect(steps).toHaveLength(10);
    expect(steps.at(-1)).toBe("Invoke a");
    expect(steps.filter((s) => s === "Execute a")).toHaveLength(1);
  });

  test("several targets, in order; one already run as a prerequisite is only invoked", () => {
    expect(trace(plan(targets("x", "a", "d"), registry(DIAMOND)))).toEqual([
      "Invoke x (first_time)",
      "Execute x",
      "Invoke a (first_time)",
      "Invoke b (first_time)",
      "Invoke d (first_time)",
      "Execute d",
      "Execute b",
      "Invoke c (first_time)",
      "Invoke d",
      "Execute c",
      "Execute a",
      "Invoke d",
    ]);
  });

  test("a target that ran first is not executed again as a prerequisite (rake d a)", () => {
    const executed = plan(targets("d", "a"), registry(DIAMOND)).steps.filter((s) => s.kind === "execute");
    expect(executed.map((s) => s.kind === "execute" && s.planned.task.name)).toEqual(["d", "b", "c", "a"]);
  });

  test("prerequisites may be defined after the task that names them", () => {
    const r = new Registry();
    r.define("first", { deps: ["later"] }, undefined, undefined);
    r.define("later", {}, undefined, undefined);
    expect(trace(plan(targets("first"), r))).toEqual([
      "Invoke first (first_time)",
      "Invoke later (first_time)",
      "Execute later",
      "Execute first",
    ]);
  });

  test("redefinition: prerequisites added in first-seen order, without repeats", () => {
    const r = new Registry();
    for (const name of ["setup", "only_top"]) r.define(name, {}, undefined, undefined);
    r.define("redef", { deps: ["setup"] }, undefined, undefined);
    r.define("redef", { deps: ["only_top", "setup"] }, undefined, undefined);
    r.define("redef", {}, undefined, undefined);
    expect(r.get("redef")?.prerequisites).toEqual(["setup", "only_top"]);
    expect(trace(plan(targets("redef"), r)).filter((s) => s.startsWith("Execute"))).toEqual([
      "Execute setup",
      "Execute only_top",
      "Execute redef",
    ]);
  });

  test("roots, resolved prerequisites and who invoked whom", () => {
    const p = plan(targets("x", "a"), registry(DIAMOND));
    expect(p.roots.map((r) => r.task.name)).toEqual(["x", "a"]);
    const a = p.roots[1]!;
    expect(a.invokedBy).toBeUndefined();
    expect(a.prerequisites.map((q) => q.task.name)).toEqual(["b", "c"]);
    const [b, c] = a.prerequisites;
    // d is planned once, through b, and c's prerequisite is that same plan.
    expect(c!.prerequisites[0]).toBe(b!.prerequisites[0]);
    expect(b!.prerequisites[0]!.invokedBy).toBe(b);
    expect(invocationChain(b!.prerequisites[0]!)).toEqual(["a", "b", "d"]);
  });
});

describe("name resolution in plans", () => {
  /** The reference's c4 Rakefile, as namespaces in a real Registry. */
  function c4(): Registry {
    const r = new Registry();
    const def = (name: string, deps: string[] = []) => r.define(name, { deps }, undefined, undefined);
    def("setup");
    def("only_top");
    r.namespace("db", () => {
      def("setup");
      def("migrate", ["setup", "only_top"]);
      def("up", ["^setup"]);
      def("full", ["db:setup"]);
      r.namespace("inner", () => {
        def("setup");
        def("go", ["setup", "^setup", "^^setup", "^^^^setup"]);
        def("other", ["db:setup", "inner:setup"]);
      });
      def("only_top", ["only_top"]);
    });
    r.namespace("app", () => {
      def("run", ["db:migrate", "inner:setup"]);
      def("run2", ["db:inner:go"]);
    });
    def("ns2:thing", ["setup"]);
    return r;
  }

  const executed = (name: string) =>
    plan(targets(name), c4())
      .steps.filter((s) => s.kind === "execute")
      .map((s) => (s.kind === "execute" ? s.planned.task.name : ""));

  test.each<[string, string[]]>([
    ["db:migrate", ["db:setup", "only_top", "db:only_top", "db:migrate"]],
    ["db:up", ["setup", "db:up"]],
    ["db:full", ["db:setup", "db:full"]],
    ["db:inner:go", ["db:inner:setup", "db:setup", "setup", "db:inner:go"]],
    ["db:inner:other", ["db:setup", "db:inner:setup", "db:inner:other"]],
    ["app:run2", ["db:inner:setup", "db:setup", "setup", "db:inner:go", "app:run2"]],
    ["ns2:thing", ["setup", "ns2:thing"]],
    ["db:only_top", ["only_top", "db:only_top"]],
  ])("%s executes %j (as rake does)", (target, expected) => {
    expect(executed(target)).toEqual(expected);
  });

  test("a prerequisite no enclosing scope has: unknown, with a suggestion and the declaring task's chain", () => {
    const error = thrown(() => plan(targets("app:run"), c4()));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error).toMatchObject({
      exitCode: 3,
      message: "Don't know how to build task 'inner:setup' (See the list of available tasks with `jt --tasks`)",
      details: ["Did you mean?  db:inner:setup"],
      chain: ["app:run"],
    });
  });

  test("target names are full names: 'migrate' is not db:migrate", () => {
    const error = thrown(() => plan(targets("migrate"), c4()));
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({
      exitCode: 2,
      message: "Don't know how to build task 'migrate' (See the list of available tasks with `jt --tasks`)",
      details: ["Did you mean?  db:migrate"],
      chain: undefined,
    });
  });
});

describe("cycles", () => {
  const CYCLES: Defs = { cyc1: ["cyc2"], cyc2: ["cyc3"], cyc3: ["cyc1"], self_loop: ["self_loop"], ok: [], entry: ["ok", "cyc2"] };

  test("Rake's message names the repeated task; the chain stops before it", () => {
    const error = thrown(() => plan(targets("cyc1"), registry(CYCLES)));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error).toMatchObject({
      exitCode: 3,
      message: "Circular dependency detected: TOP => cyc1 => cyc2 => cyc3 => cyc1",
      chain: ["cyc1", "cyc2", "cyc3"],
    });
  });

  test("a task depending on itself", () => {
    expect(thrown(() => plan(targets("self_loop"), registry(CYCLES)))).toMatchObject({
      message: "Circular dependency detected: TOP => self_loop => self_loop",
      chain: ["self_loop"],
    });
  });

  test("a cycle entered from the middle, after other prerequisites", () => {
    expect(thrown(() => plan(targets("entry"), registry(CYCLES)))).toMatchObject({
      message: "Circular dependency detected: TOP => entry => cyc2 => cyc3 => cyc1 => cyc2",
      chain: ["entry", "cyc2", "cyc3", "cyc1"],
    });
  });

  test("found in a later target, so the whole plan fails", () => {
    expect(thrown(() => plan(targets("ok", "cyc3"), registry(CYCLES)))).toMatchObject({
      message: "Circular dependency detected: TOP => cyc3 => cyc1 => cyc2 => cyc3",
    });
  });

  test("a diamond is not a cycle", () => {
    expect(() => plan(targets("a"), registry(DIAMOND))).not.toThrow();
  });

  test("a cycle through a namespace-resolved name", () => {
    const r = new Registry();
    r.namespace("db", () => {
      r.define("a", { deps: ["b"] }, undefined, undefined);
      r.define("b", { deps: ["^db:a"] }, undefined, undefined);
    });
    expect(thrown(() => plan(targets("db:a"), r))).toMatchObject({ message: "Circular dependency detected: TOP => db:a => db:b => db:a" });
  });
});

describe("unknown names", () => {
  const BAD: Defs = { d: [], badpre: ["d", "nosuch"], deepbad: ["badpre"], x: [], migrate: [] };

  test("an unknown prerequisite: Rake's message, chain up to the task that declares it, exit 3", () => {
    const error = thrown(() => plan(targets("deepbad"), registry(BAD)));
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error).toMatchObject({
      exitCode: 3,
      message: "Don't know how to build task 'nosuch' (See the list of available tasks with `jt --tasks`)",
      details: [],
      chain: ["deepbad", "badpre"],
    });
  });

  test("an unknown prerequisite in a later target fails the whole plan", () => {
    expect(thrown(() => plan(targets("x", "badpre"), registry(BAD)))).toMatchObject({ chain: ["badpre"] });
  });

  test("an unknown target: exit 2, no chain, close matches", () => {
    const error = thrown(() => plan(targets("x", "migrat"), registry(BAD)));
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({
      exitCode: 2,
      message: "Don't know how to build task 'migrat' (See the list of available tasks with `jt --tasks`)",
      details: ["Did you mean?  migrate"],
      chain: undefined,
    });
  });

  test("unknownTask formats several matches as did_you_mean does", () => {
    const error = unknownTask("buil", ["build", "built", "zzz"]);
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toMatch(/^Did you mean\? {2}(build\n {15}built|built\n {15}build)$/);
    expect(unknownTask("qqq", ["build"]).details).toEqual([]);
  });
});

describe("arguments", () => {
  function argsRegistry(): Registry {
    const r = new Registry();
    r.define("child_same", { args: ["first", "second"] }, undefined, undefined);
    r.define("child_other", { args: ["x"] }, undefined, undefined);
    r.define("child_none", {}, undefined, undefined);
    r.define("parent", { args: ["first", "second"], deps: ["child_same", "child_other", "child_none"] }, undefined, undefined);
    r.define("t", { args: ["first"] }, undefined, undefined);
    return r;
  }
  const argsOf = (p: Plan) =>
    Object.fromEntries(p.steps.flatMap((s) => (s.kind === "execute" ? [[s.planned.task.name, s.planned.args]] : [])));

  test("target values become the target's args", () => {
    const p = plan([{ name: "parent", values: ["1", "2", "3"] }], argsRegistry());
    const args = argsOf(p);
    expect(args.parent!.first).toBe("1");
    expect(args.parent!.second).toBe("2");
    expect(args.parent!.extras).toEqual(["3"]);
  });

  test("a prerequisite declaring the same names receives the caller's values, and its extras", () => {
    const args = argsOf(plan([{ name: "parent", values: ["1", "2", "3"] }], argsRegistry()));
    expect({ first: args.child_same!.first, second: args.child_same!.second, extras: args.child_same!.extras }).toEqual({
      first: "1",
      second: "2",
      extras: ["3"],
    });
  });

  test("a prerequisite declaring other names (or none) gets undefined, and the caller's extras", () => {
    const args = argsOf(plan([{ name: "parent", values: ["1", "2", "3"] }], argsRegistry()));
    expect(args.child_other!.x).toBeUndefined();
    expect(args.child_other!.extras).toEqual(["3"]);
    expect(args.child_none!.extras).toEqual(["3"]);
  });

  test("run-once: the args of the first invocation win (rake 't[a]' 't[b]')", () => {
    const p = plan(
      [
        { name: "t", values: ["a"] },
        { name: "t", values: ["b"] },
      ],
      argsRegistry(),
    );
    expect(trace(p)).toEqual(["Invoke t (first_time)", "Execute t", "Invoke t"]);
    expect(argsOf(p).t!.first).toBe("a");
  });

  test("a prerequisite reached first without args keeps those", () => {
    const r = argsRegistry();
    r.define("early", { deps: ["child_same"] }, undefined, undefined);
    const args = argsOf(
      plan(
        [
          { name: "early", values: [] },
          { name: "parent", values: ["1", "2"] },
        ],
        r,
      ),
    );
    expect(args.child_same!.first).toBeUndefined();
  });
});

describe("deep chains", () => {
  function chain(depth: number): Registry {
    const r = new Registry();
    for (let i = 0; i < depth; i++) r.define(`t${i}`, { deps: i + 1 < depth ? [`t${i + 1}`] : [] }, undefined, undefined);
    return r;
  }

  test("a 10,000-deep chain plans without overflowing the stack, deepest first", () => {
    const p = plan(targets("t0"), chain(10_000));
    expect(p.steps).toHaveLength(20_000);
    expect(line(p.steps[0]!)).toBe("Invoke t0 (first_time)");
    expect(line(p.steps[9_999]!)).toBe("Invoke t9999 (first_time)");
    expect(line(p.steps[10_000]!)).toBe("Execute t9999");
    expect(line(p.steps[19_999]!)).toBe("Execute t0");
    const deepest = p.steps[10_000]!;
    expect(deepest.kind === "execute" && invocationChain(deepest.planned)).toHaveLength(10_000);
  });

  test("a cycle 10,000 deep is found, with the whole chain", () => {
    const r = chain(10_000);
    r.define("t9999", { deps: ["t0"] }, undefined, undefined);
    const error = thrown(() => plan(targets("t0"), r)) as DefinitionError;
    expect(error).toBeInstanceOf(DefinitionError);
    expect(error.chain).toHaveLength(10_000);
    expect(error.message.endsWith("t9998 => t9999 => t0")).toBe(true);
  });

  test("an unknown prerequisite 10,000 deep names the whole chain", () => {
    const r = chain(10_000);
    r.define("t9999", { deps: ["missing"] }, undefined, undefined);
    const error = thrown(() => plan(targets("t0"), r)) as DefinitionError;
    expect(error.chain).toHaveLength(10_000);
    expect(error.chain?.at(-1)).toBe("t9999");
  });
});

describe("InvokedSet reuse (what ctx.invoke plans against)", () => {
  test("a second plan skips what the first one invoked", () => {
    const r = registry({ ...DIAMOND, e: ["d", "x"] });
    const invoked: InvokedSet = new Map();
    plan(targets("a"), r, invoked);
    expect([...invoked.keys()].map((t) => t.name)).toEqual(["a", "b", "d", "c"]);
    expect(trace(plan(targets("e"), r, invoked))).toEqual([
      "Invoke e (first_time)",
      "Invoke d",
      "Invoke x (first_time)",
      "Execute x",
      "Execute e",
    ]);
  });

  test("planning an invoked task again only invokes it, and returns the first plan of it", () => {
    const r = registry(DIAMOND);
    const invoked: InvokedSet = new Map();
    const first = plan([{ name: "a", values: [] }], r, invoked);
    const again = plan([{ name: "a", values: ["ignored"] }], r, invoked);
    expect(trace(again)).toEqual(["Invoke a"]);
    expect(again.roots[0]).toBe(first.roots[0]);
  });

  test("without a shared set, every plan starts afresh", () => {
    const r = registry(DIAMOND);
    plan(targets("a"), r);
    expect(trace(plan(targets("d"), r))).toEqual(["Invoke d (first_time)", "Execute d"]);
  });
});
