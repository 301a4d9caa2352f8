import { describe, expectTypeOf, test } from "vitest";
import { multitask, rule, task, type TaskContext } from "../src/index.js";

describe("ctx.args is typed from the declared names", () => {
  test("an argument without a default may be missing", () => {
    task("t", { args: ["first", "last"] }, ({ args }) => {
      expectTypeOf(args.first).toEqualTypeOf<string | undefined>();
      expectTypeOf(args.last).toEqualTypeOf<string | undefined>();
      expectTypeOf(args.extras).toEqualTypeOf<readonly string[]>();
      expectTypeOf(args.toArray()).toEqualTypeOf<string[]>();
    });
  });

  test("an argument with a default is a string", () => {
    task("t", { args: ["first", "last"], defaults: { last: "Smith" } }, ({ args }) => {
      expectTypeOf(args.first).toEqualTypeOf<string | undefined>();
      expectTypeOf(args.last).toEqualTypeOf<string>();
    });
  });

  test("a rest argument is string[]", () => {
    task("t", { args: ["group", "users..."], deps: ["environment"] }, ({ args }) => {
      expectTypeOf(args.users).toEqualTypeOf<string[]>();
      expectTypeOf(args.group).toEqualTypeOf<string | undefined>();
    });
  });

  test("a misspelt argument name is a compile error", () => {
    task("t", { args: ["user"] }, ({ args }) => {
      // @ts-expect-error 'usr' is not a declared argument
      args.usr;
      expectTypeOf(args.user).toEqualTypeOf<string | undefined>();
    });
  });

  test("a default for an undeclared argument is a compile error", () => {
    // @ts-expect-error 'other' is not one of the args
    task("t", { args: ["user"], defaults: { other: "x" } });
  });

  test("a task without args has only the common members", () => {
    task("t", ({ args, name, signal, invoke }) => {
      expectTypeOf(name).toEqualTypeOf<string>();
      expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
      // With no declaration file (jt never ran here), any name and values.
      expectTypeOf(invoke).toBeCallableWith("any:name", "a", "b");
      expectTypeOf(invoke).returns.toEqualTypeOf<Promise<void>>();
      // @ts-expect-error no args were declared
      args.anything;
    });
    task("t", ["dep"], (ctx) => expectTypeOf(ctx).toEqualTypeOf<TaskContext>());
  });

  test("multitask takes the same forms", () => {
    multitask("m", ["a", "b"]);
    multitask("m", { deps: ["a"], args: ["n"] }, ({ args }) => {
      expectTypeOf(args.n).toEqualTypeOf<string | undefined>();
    });
  });
});

describe("rule() and the context a file task gets", () => {
  test("sources as a file ending, a path map or an array of them and functions; ctx.source and ctx.prerequisites typed", () => {
    rule(".html", ".md", ({ name, source, prerequisites }) => {
      expectTypeOf(name).toEqualTypeOf<string>();
      expectTypeOf(source).toEqualTypeOf<string | undefined>();
      expectTypeOf(prerequisites).toEqualTypeOf<readonly string[]>();
    });
    rule(/\.o$/, ["src/%n.c", (name) => [`${name}.d`]]);
    rule(".stamp", () => undefined);
    const cSource = (name: string) => `${name}.c`;
    // @ts-expect-error a source function goes in the array: alone it would read as the action
    rule(".o", cSource, () => undefined);
    // @ts-expect-error a source function gives file names
    rule(".o", [(name: string) => name.length]);
  });
});
