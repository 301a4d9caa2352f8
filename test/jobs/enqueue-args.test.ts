/**
 * Job args mean what they say (issue 12): strings, with numbers and booleans converted by
 * String(); everything else is refused at enqueue with an EnqueueError naming the argument, and
 * nothing is written. The same values are accepted and refused on SQLite and on PostgreSQL.
 * Enqueued through createJobs, as app code does.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { createJobs, EnqueueError } from "../../src/index.js";
import { project } from "../helpers/project.js";
import { listJobs } from "../helpers/jobs.js";
import { adminClient, dropSchema, freshSchemaName, storeUrl } from "../helpers/postgres.js";

let admin: pg.Client;
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin?.end();
});

const REFUSED: [string, unknown, string][] = [
  ["an object", [{ id: 1 }], "args[0] is an object"],
  ["an array inside", ["a", ["b"]], "args[1] is an array"],
  ["null", [null], "args[0] is null"],
  ["undefined", ["a", undefined], "args[1] is undefined"],
  ["NaN", [Number.NaN], "args[0] is NaN"],
  ["a Date", [new Date(0)], "args[0] is a Date"],
  ["a bigint", [10n], "args[0] is a bigint"],
  ["a NUL byte", ["a\0b"], "args[0] contains a NUL character"],
];
const HINT =
  "job args are strings (numbers and booleans are converted with String()): pass an id or a name, and load the record in the task";

const stores = {
  sqlite: () => ({ store: undefined as string | undefined }),
  postgres: () => {
    const schema = freshSchemaName();
    onTestFinished(() => dropSchema(admin, schema));
    return { store: storeUrl(schema) };
  },
};

describe.each(Object.entries(stores))("job args on %s", (_name, storeFor) => {
  test("strings are stored as given; numbers and booleans as String() makes them", async () => {
    const { store } = storeFor();
    const p = project().file("tasks/t.ts", `import { task } from "jt";\ntask("t", { args: ["rest..."] }, () => {});\n`);
    const jobs = createJobs({ root: p.root, store });
    onTestFinished(() => jobs.close());
    const job = await jobs.enqueue("t", { args: ["héllo, world", "", 42, -1.5, true, false] });
    expect(job.args).toEqual(["héllo, world", "", "42", "-1.5", "true", "false"]);
    const env = store ? { JT_JOBS_URL: store } : undefined;
    expect((await listJobs(p, [], env)).map((j) => j.args)).toEqual([["héllo, world", "", "42", "-1.5", "true", "false"]]);
  });

  test("anything else throws an EnqueueError that names the argument, and nothing is written", async () => {
    const { store } = storeFor();
    const p = project().file("tasks/t.ts", `import { task } from "jt";\ntask("t", { args: ["rest..."] }, () => {});\n`);
    const jobs = createJobs({ root: p.root, store });
    onTestFinished(() => jobs.close());
    for (const [what, args, problem] of REFUSED) {
      const error = await jobs.enqueue("t", { args: args as string[] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, what).toBeInstanceOf(EnqueueError);
      const message = (error as Error).message;
      expect(message, what).toContain(`Cannot enqueue 't': ${problem}`);
      if (problem.includes(" is ")) expect(message, what).toContain(HINT);
    }
    const notArray = await jobs.enqueue("t", { args: "abc" as unknown as string[] }).catch((e: Error) => e);
    expect(notArray).toBeInstanceOf(EnqueueError);
    expect((notArray as Error).message).toBe(`Cannot enqueue 't': args must be an array (args: ["abc"]), not a string`);
    const object = await jobs.enqueue("t", { args: { id: 1 } as unknown as string[] }).catch((e: Error) => e);
    expect((object as Error).message).toBe(`Cannot enqueue 't': args must be an array of strings, not an object`);
    // One bad job in a batch: none of the batch is written.
    const batch = await jobs
      .enqueueMany([
        { task: "t", options: { args: ["ok"] } },
        { task: "t", options: { args: [null as unknown as string] } },
      ])
      .catch((e: Error) => e);
    expect(batch).toBeInstanceOf(EnqueueError);
    const env = store ? { JT_JOBS_URL: store } : undefined;
    expect(await listJobs(p, [], env)).toEqual([]);
  });
});
