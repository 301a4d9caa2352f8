/**
 * The `ctx.args` object, against Rake's TaskArguments (rake 13's test_rake_task_arguments.rb): named values,
 * `extras`, `toArray()` (Rake's `to_a`), `toObject()` (Rake's `to_hash`), defaults, the rest
 * argument, and what a prerequisite receives from its caller (Rake's `new_scope`).
 */
import { describe, expect, test } from "vitest";
import {
  argumentsFromCaller,
  argumentsFromValues,
  bareArgName,
  isRestArg,
  NO_ARGUMENTS_SPEC,
  type ArgsSpec,
  type TaskArguments,
} from "../../src/args/task-arguments.js";

function spec(names: string[], defaults: Record<string, string> = {}): ArgsSpec {
  return { names, defaults };
}

/** Everything observable about an args object, in one value for toStrictEqual. */
function view(args: TaskArguments, names: string[]) {
  return {
    named: Object.fromEntries(names.map((n) => [n, args[n]])),
    extras: [...args.extras],
    toArray: args.toArray(),
    toObject: args.toObject(),
  };
}

const FIRST_SECOND = spec(["first", "second"]);

describe("rest-argument names", () => {
  test("'users...' is a rest argument named users", () => {
    expect(isRestArg("users...")).toBe(true);
    expect(isRestArg("users")).toBe(false);
    expect(bareArgName("users...")).toBe("users");
    expect(bareArgName("users")).toBe("users");
  });
});

describe("argumentsFromValues (command line, ctx.invoke)", () => {
  test("t[a,b]: both named, nothing extra", () => {
    expect(view(argumentsFromValues(FIRST_SECOND, ["a", "b"]), ["first", "second"])).toStrictEqual({
      named: { first: "a", second: "b" },
      extras: [],
      toArray: ["a", "b"],
      toObject: { first: "a", second: "b" },
    });
  });

  test("t[]: no values → every name undefined, toObject() empty", () => {
    expect(view(argumentsFromValues(FIRST_SECOND, []), ["first", "second"])).toStrictEqual({
      named: { first: undefined, second: undefined },
      extras: [],
      toArray: [],
      toObject: {},
    });
  });

  test("t[a]: a missing value is undefined and absent from toObject()", () => {
    expect(view(argumentsFromValues(FIRST_SECOND, ["a"]), ["first", "second"])).toStrictEqual({
      named: { first: "a", second: undefined },
      extras: [],
      toArray: ["a"],
      toObject: { first: "a" },
    });
  });

  test("t[a,b,c,d]: surplus values are extras; toArray() has them all", () => {
    expect(view(argumentsFromValues(FIRST_SECOND, ["a", "b", "c", "d"]), ["first", "second"])).toStrictEqual({
      named: { first: "a", second: "b" },
      extras: ["c", "d"],
      toArray: ["a", "b", "c", "d"],
      toObject: { first: "a", second: "b" },
    });
  });

  test("t[,b]: an empty value counts as not given, but stays in toArray()", () => {
    expect(view(argumentsFromValues(FIRST_SECOND, ["", "b"]), ["first", "second"])).toStrictEqual({
      named: { first: undefined, second: "b" },
      extras: [],
      toArray: ["", "b"],
      toObject: { second: "b" },
    });
  });

  test("t[a,]: a trailing empty value counts as not given", () => {
    expect(view(argumentsFromValues(FIRST_SECOND, ["a", ""]), ["first", "second"])).toStrictEqual({
      named: { first: "a", second: undefined },
      extras: [],
      toArray: ["a", ""],
      toObject: { first: "a" },
    });
  });

  test("t[a,,c]: the empty second is not given; c is extra", () => {
    expect(view(argumentsFromValues(FIRST_SECOND, ["a", "", "c"]), ["first", "second"])).toStrictEqual({
      named: { first: "a", second: undefined },
      extras: ["c"],
      toArray: ["a", "", "c"],
      toObject: { first: "a" },
    });
  });

  test("a task without args: every value is extra, toObject() is empty", () => {
    expect(view(argumentsFromValues(NO_ARGUMENTS_SPEC, ["1", "2"]), [])).toStrictEqual({
      named: {},
      extras: ["1", "2"],
      toArray: ["1", "2"],
      toObject: {},
    });
  });

  describe("defaults", () => {
    const DEFS = spec(["a", "b"], { a: "A-default", b: "B-default" });

    test("fill every missing value, and toObject() has them", () => {
      expect(view(argumentsFromValues(DEFS, []), ["a", "b"])).toStrictEqual({
        named: { a: "A-default", b: "B-default" },
        extras: [],
        toArray: [],
        toObject: { a: "A-default", b: "B-default" },
      });
    });

    test("a given value wins", () => {
      expect(view(argumentsFromValues(DEFS, ["x"]), ["a", "b"]).named).toStrictEqual({ a: "x", b: "B-default" });
    });

    test("an empty value takes the default (defs[,y])", () => {
      expect(view(argumentsFromValues(DEFS, ["", "y"]), ["a", "b"])).toStrictEqual({
        named: { a: "A-default", b: "y" },
        extras: [],
        toArray: ["", "y"],
        toObject: { a: "A-default", b: "y" },
      });
    });

    test("only some names have defaults", () => {
      const args = argumentsFromValues(spec(["a", "b"], { b: "B" }), []);
      expect(view(args, ["a", "b"])).toStrictEqual({ named: { a: undefined, b: "B" }, extras: [], toArray: [], toObject: { b: "B" } });
    });
  });

  describe("a rest argument", () => {
    const REST = spec(["first", "users..."]);

    test("collects the remaining values; extras stays empty", () => {
      expect(view(argumentsFromValues(REST, ["1", "2", "3"]), ["first", "users"])).toStrictEqual({
        named: { first: "1", users: ["2", "3"] },
        extras: [],
        toArray: ["1", "2", "3"],
        toObject: { first: "1", users: ["2", "3"] },
      });
    });

    test("is an empty array when nothing remains", () => {
      expect(argumentsFromValues(REST, ["1"]).users).toEqual([]);
      expect(argumentsFromValues(REST, []).users).toEqual([]);
      expect(argumentsFromValues(spec(["users..."]), []).users).toEqual([]);
    });

    test("alone, takes every value", () => {
      expect(argumentsFromValues(spec(["users..."]), ["a", "b"]).users).toEqual(["a", "b"]);
    });
  });

  test("only the declared names are own enumerable properties", () => {
    const args = argumentsFromValues(FIRST_SECOND, ["a", "b", "c"]);
    expect(Object.keys(args)).toEqual(["first", "second"]);
    expect(JSON.parse(JSON.stringify(args))).toEqual({ first: "a", second: "b" });
  });

  test("toArray(), toObject() and extras cannot change the arguments", () => {
    const args = argumentsFromValues(spec(["first", "users..."]), ["1", "2", "3"]);
    args.toArray().push("x");
    (args.toObject().users as string[]).push("y");
    expect(() => (args.extras as string[]).push("z")).toThrow();
    expect(args.toArray()).toEqual(["1", "2", "3"]);
    expect(args.toObject()).toEqual({ first: "1", users: ["2", "3"] });
    expect(args.extras).toEqual([]);
  });
});

describe("argumentsFromCaller (what a prerequisite receives: Rake's new_scope)", () => {
  const parent = () => argumentsFromValues(FIRST_SECOND, ["1", "2", "3"]);

  test("a prerequisite declaring the same names gets the caller's values, plus the caller's extras", () => {
    expect(view(argumentsFromCaller(FIRST_SECOND, parent()), ["first", "second"])).toStrictEqual({
      named: { first: "1", second: "2" },
      extras: ["3"],
      toArray: ["1", "2", "3"],
      toObject: { first: "1", second: "2" },
    });
  });

  test("a prerequisite declaring other names gets undefined, plus the caller's extras", () => {
    const args = argumentsFromCaller(spec(["x"]), parent());
    expect(args.x).toBeUndefined();
    expect(args.toObject()).toStrictEqual({});
    expect(args.extras).toEqual(["3"]);
  });

  test("a prerequisite without args gets the caller's extras", () => {
    const args = argumentsFromCaller(NO_ARGUMENTS_SPEC, parent());
    expect(args.extras).toEqual(["3"]);
    expect(args.toObject()).toStrictEqual({});
  });

  test("a prerequisite declaring some of the names gets those", () => {
    const args = argumentsFromCaller(spec(["second"]), parent());
    expect(args.second).toBe("2");
    expect(args.toObject()).toStrictEqual({ second: "2" });
  });

  test("parent[,2]: the caller's empty first is not given to the prerequisite either", () => {
    const args = argumentsFromCaller(FIRST_SECOND, argumentsFromValues(FIRST_SECOND, ["", "2"]));
    expect(args.first).toBeUndefined();
    expect(args.second).toBe("2");
    expect(args.toObject()).toStrictEqual({ second: "2" });
    expect(args.extras).toEqual([]);
  });

  test("the prerequisite's own defaults fill what the caller lacks", () => {
    const args = argumentsFromCaller(spec(["first", "mode"], { mode: "fast", first: "F" }), argumentsFromValues(FIRST_SECOND, ["1"]));
    expect(args.first).toBe("1");
    expect(args.mode).toBe("fast");
    expect(argumentsFromCaller(spec(["first"], { first: "F" }), argumentsFromValues(FIRST_SECOND, [])).first).toBe("F");
  });

  test("a rest argument flows to a prerequisite declaring the same rest argument", () => {
    const caller = argumentsFromValues(spec(["users..."]), ["a", "b"]);
    expect(argumentsFromCaller(spec(["users..."]), caller).users).toEqual(["a", "b"]);
    expect(argumentsFromCaller(spec(["users..."]), argumentsFromValues(FIRST_SECOND, [])).users).toEqual([]);
  });
});
