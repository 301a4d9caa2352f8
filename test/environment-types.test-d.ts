/**
 * The `App` interface that users augment types `ctx.app` in every task and what
 * `defineEnvironment`'s setup must return (issue 4: "Type tests prove it").
 *
 * A module augmentation is global to the type-check program, so this file adds one member only
 * (`users`), of a type declared here, and no other test file relies on `App` being empty.
 */
import { describe, expectTypeOf, test } from "vitest";
import { defineEnvironment, task, type App, type EnvironmentDefinition, type TaskContext } from "../src/index.js";

interface User {
  login: string;
  name: string;
}

interface Users {
  find(login: string): User | undefined;
  upsert(user: User): Promise<void>;
}

declare module "../src/index.js" {
  // What a user writes as `declare module "jt" { interface App { … } }`.
  interface App {
    users: Users;
  }
}

declare const users: Users;

describe("ctx.app is typed by the App augmentation", () => {
  test("in a task action", () => {
    task("users:show", ["environment"], ({ app }) => {
      expectTypeOf(app).toEqualTypeOf<App>();
      expectTypeOf(app.users).toEqualTypeOf<Users>();
      expectTypeOf(app.users.find("ada")).toEqualTypeOf<User | undefined>();
      expectTypeOf(app.users.find("ada")?.name).toEqualTypeOf<string | undefined>();
    });
    expectTypeOf<TaskContext["app"]["users"]>().toEqualTypeOf<Users>();
  });

  test("together with typed args", () => {
    task("users:load", { args: ["logins..."], deps: ["environment"] }, async ({ args, app }) => {
      for (const login of args.logins) await app.users.upsert({ login, name: login });
    });
  });

  test("a misspelt member of ctx.app is a compile error", () => {
    task("t", ["environment"], ({ app }) => {
      // @ts-expect-error 'usres' is not a member of App
      app.usres;
      // @ts-expect-error 'fnd' is not a member of Users
      app.users.fnd("ada");
    });
  });

  test("a wrongly typed use is a compile error", () => {
    task("t", ["environment"], ({ app }) => {
      // @ts-expect-error find takes a login string
      app.users.find(42);
    });
  });
});

describe("defineEnvironment: setup must return an App, teardown gets one", () => {
  test("sync or async setup returning the App", () => {
    const sync = defineEnvironment({ setup: () => ({ users }) });
    const async = defineEnvironment({
      async setup() {
        await Promise.resolve();
        return { users };
      },
      async teardown(app) {
        expectTypeOf(app).toEqualTypeOf<App>();
        expectTypeOf(app.users).toEqualTypeOf<Users>();
      },
    });
    expectTypeOf(sync).toEqualTypeOf<EnvironmentDefinition>();
    expectTypeOf(async).toEqualTypeOf<EnvironmentDefinition>();
    expectTypeOf<ReturnType<EnvironmentDefinition["setup"]>>().toEqualTypeOf<App | Promise<App>>();
  });

  test("teardown is optional", () => {
    defineEnvironment({ setup: () => ({ users }) });
  });

  test("a typo in the returned object is a compile error", () => {
    defineEnvironment({
      // @ts-expect-error 'usres' is not in App (and 'users' is missing)
      setup: () => ({ usres: users }),
    });
    defineEnvironment({
      // @ts-expect-error the same from an async setup
      setup: async () => ({ usres: users }),
    });
  });

  test("a setup that leaves out a member of App is a compile error", () => {
    defineEnvironment({
      // @ts-expect-error 'users' is missing
      setup: () => ({}),
    });
    defineEnvironment({
      // @ts-expect-error a setup must return the app
      setup: () => {},
    });
  });

  test("a member of the wrong type is a compile error", () => {
    defineEnvironment({
      // @ts-expect-error users must be a Users
      setup: () => ({ users: ["ada"] }),
    });
  });

  test("a misspelt member in teardown is a compile error", () => {
    defineEnvironment({
      setup: () => ({ users }),
      teardown(app) {
        // @ts-expect-error 'usres' is not a member of App
        app.usres;
      },
    });
  });

  test("setup and teardown are checked: a missing setup is a compile error", () => {
    // @ts-expect-error setup is required
    defineEnvironment({ teardown() {} });
  });
});
