/**
 * jobs-and-tasks/testing in a test's own process (issue 17): what runTask gives back on each kind of
 * failure, and what one run leaves for the next (nothing: env, the app, the working directory).
 * The happy paths are the example app's own tests (examples/app/test) and the generated tests
 * (test/generate.test.ts); Jest in test/real-apps.test.ts.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTask, testJobs } from "jobs-and-tasks/testing";
import { afterAll, describe, expect, test } from "vitest";

const root = realpathSync(mkdtempSync(join(tmpdir(), "jt-testing-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "tasks"));
mkdirSync(join(root, "app"));
writeFileSync(join(root, "jt.config.json"), `{ "environment": "./app/environment.js" }\n`);
writeFileSync(
  join(root, "app/environment.js"),
  `export default { setup() { return { name: "real app" }; }, teardown() { console.log("torn down"); } };\n`,
);
writeFileSync(
  join(root, "tasks/t.js"),
  `import { task } from "jobs-and-tasks";
task("who", ["environment"], ({ app }) => { console.log(app.name); });
task("env", () => { console.log(process.env.JT_TESTING_PROBE ?? "unset"); });
task("cwd", () => process.cwd());
task("slow", () => new Promise((resolve) => setTimeout(resolve, 200)));
`,
);

describe("runTask", () => {
  test("an unknown task and malformed brackets resolve as failed runs with jt's exit code 2, not rejections", async () => {
    const unknown = await runTask("nope", { root });
    expect(unknown).toMatchObject({ ok: false, exitCode: 2, ran: [], stdout: "" });
    expect(unknown.error?.message).toMatch(/^Don't know how to build task 'nope'/);
    const malformed = await runTask("who[a", { root });
    expect(malformed).toMatchObject({ ok: false, exitCode: 2 });
    expect(malformed.error?.message).toContain("Malformed task arguments in 'who[a'");
  });

  test("a test's app is used for one run only; the next run boots the real environment (and tears it down)", async () => {
    expect((await runTask("who", { root, app: { name: "fake app" } as never })).stdout).toBe("fake app\n");
    expect((await runTask("who", { root })).stdout).toBe("real app\ntorn down\n");
  });

  test("env is set for the run and put back; tasks run in the project's root, and the test's directory is back after", async () => {
    const before = process.cwd();
    expect((await runTask("env", { root, env: { JT_TESTING_PROBE: "set" } })).stdout).toBe("set\n");
    expect(process.env.JT_TESTING_PROBE).toBeUndefined();
    expect((await runTask("cwd", { root })).result).toBe(root);
    expect(process.cwd()).toBe(before);
  });

  test("two runs at once: the second rejects, naming both; tasks of a second project reject", async () => {
    const first = runTask("slow", { root });
    await expect(runTask("env", { root })).rejects.toThrow(/runTask\("env"\) was called while runTask\("slow"\) is still running/);
    expect((await first).ok).toBe(true);
    const other = mkdtempSync(join(tmpdir(), "jt-testing-other-"));
    mkdirSync(join(other, "tasks"));
    try {
      await expect(runTask("x", { root: other })).rejects.toThrow(/already runs the tasks of .* need a test process of their own/);
      expect(() => testJobs({ root: other })).toThrow(/need a test process of their own/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
