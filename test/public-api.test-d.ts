import type pg from "pg";
import { describe, expectTypeOf, test } from "vitest";
import {
  type CommandFailed,
  type Discard,
  defineJobHooks,
  enqueue,
  type JobHookFailed,
  type JobHooks,
  Snooze,
  task,
  type TransactionClient,
} from "../src/index.js";

describe("enqueue({ db }) takes your pg connection, typed", () => {
  test("a PoolClient, a Client and a Pool are all TransactionClients", () => {
    expectTypeOf<pg.PoolClient>().toExtend<TransactionClient>();
    expectTypeOf<pg.Client>().toExtend<TransactionClient>();
    expectTypeOf<pg.Pool>().toExtend<TransactionClient>();
    const inTransaction = async (client: pg.PoolClient) => enqueue("mail:welcome", { args: [1], db: client });
    expectTypeOf(inTransaction).returns.resolves.toHaveProperty("id");
  });

  test("anything without query() is a compile error", () => {
    // @ts-expect-error not a database connection
    void enqueue("mail:welcome", { db: { connect: () => {} } });
    // @ts-expect-error a connection string is not a connection
    void enqueue("mail:welcome", { db: "postgres://localhost/app" });
  });

  test("CommandFailed carries what the command printed", () => {
    expectTypeOf<CommandFailed["exitCode"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<CommandFailed["stdout"]>().toEqualTypeOf<string>();
  });
});

describe("steering a job's retries", () => {
  test("retry.on and retry.discardOn take an error class, a list of them, or a test; Discard and Snooze are Errors", () => {
    class Timeout extends Error {}
    task("a", { retry: { on: Timeout } }, () => {});
    task("b", { retry: { on: [Timeout, TypeError], discardOn: (error) => error instanceof RangeError } }, () => {});
    // @ts-expect-error a class name as a string is no matcher
    task("c", { retry: { on: "Timeout" } }, () => {});
    // @ts-expect-error a test must answer a boolean
    task("d", { retry: { discardOn: (error: unknown) => String(error) } }, () => {});
    task("e", () => new Snooze("5m"));
    expectTypeOf<Discard>().toExtend<Error>();
    expectTypeOf<Snooze["waitMs"]>().toEqualTypeOf<number>();
  });

  test("debounce.key names declared args only", () => {
    task("f", { args: ["account", "version"], debounce: { wait: "1s", key: "account" } }, () => {});
    task("g", { args: ["account", "version"], debounce: { wait: 500, key: ["account", "version"] } }, () => {});
    // @ts-expect-error "user" is not one of its args
    task("h", { args: ["account"], debounce: { wait: "1s", key: "user" } }, () => {});
  });

  test("concurrency.key names declared args only", () => {
    task("i", { args: ["account"], concurrency: { limit: 1, key: "account" } }, () => {});
    task("j", { concurrency: { limit: 3 } }, () => {});
    // @ts-expect-error "tenant" is not one of its args
    task("k", { args: ["account"], concurrency: { limit: 1, key: "tenant" } }, () => {});
  });

  test("rateLimit takes max, a period and a key of declared args", () => {
    task("l", { args: ["account"], rateLimit: { max: 10, per: "1s", key: "account" } }, () => {});
    // @ts-expect-error per is required
    task("m", { rateLimit: { max: 10 } }, () => {});
    // @ts-expect-error "tenant" is not one of its args
    task("n", { args: ["account"], rateLimit: { max: 1, per: 1000, key: "tenant" } }, () => {});
  });
});

describe("job hooks", () => {
  test("a task's perform hooks see its own ctx, typed by its args; enqueue hooks are not a task's", () => {
    task(
      "hooked",
      {
        args: ["account"],
        defaults: { account: "all" },
        hooks: {
          beforePerform(job, ctx) {
            expectTypeOf(ctx.args.account).toEqualTypeOf<string>();
            expectTypeOf(job.meta).toEqualTypeOf<Readonly<Record<string, string>>>();
            expectTypeOf(job.attempt).toEqualTypeOf<number>();
          },
          aroundPerform: (_job, _ctx, perform) => perform(),
        },
      },
      () => {},
    );
    // @ts-expect-error an undeclared arg
    task("hooked2", { args: ["account"], hooks: { beforePerform: (_job, ctx) => ctx.args.user } }, () => {});
    // @ts-expect-error enqueue hooks go in the project's hooks module
    task("hooked3", { hooks: { beforeEnqueue: () => {} } }, () => {});
  });

  test("defineJobHooks takes sets of hooks; an enqueue hook can set meta, not args", () => {
    const sets = defineJobHooks(
      {
        name: "tenants",
        beforeEnqueue(job) {
          job.meta.tenant = "acme";
          // @ts-expect-error args are the caller's
          job.args.push("x");
        },
        aroundEnqueue: async (_job, enqueue) => {
          const enqueued = await enqueue();
          expectTypeOf(enqueued.meta).toEqualTypeOf<Readonly<Record<string, string>>>();
          return enqueued;
        },
      },
      { aroundPerform: async (_job, ctx, perform) => (ctx.signal.aborted ? undefined : perform()) },
    );
    expectTypeOf(sets).toEqualTypeOf<readonly JobHooks[]>();
    defineJobHooks({
      beforeEnqueue(job) {
        // @ts-expect-error meta holds strings
        job.meta.count = 1;
      },
    });
    expectTypeOf<JobHookFailed["hook"]>().toEqualTypeOf<string>();
  });
});

describe("task names and args, in a project jt has not written jt-tasks.d.ts for", () => {
  test("any name and any args compile: nothing is known to check them against", () => {
    expectTypeOf<import("../src/index.js").TaskName>().toEqualTypeOf<string>();
    expectTypeOf(enqueue).toBeCallableWith("never:seen", { args: ["a", 1, true] });
    task("t", async ({ invoke, execute, enqueue: enqueueHere }) => {
      await invoke("anything", "a", "b");
      await execute("anything");
      await enqueueHere("anything", { args: [1] });
    });
  });

  test("args are still strings, numbers or booleans", () => {
    // @ts-expect-error an object is no job arg
    void enqueue("x", { args: [{ id: 1 }] });
  });
});
