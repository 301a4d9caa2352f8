// jt's testing helpers under Jest (ES modules: run with --experimental-vm-modules).
import { runTask, testJobs } from "jobs-and-tasks/testing";

test("mail:welcome runs its prerequisites once each, then itself", async () => {
  const run = await runTask("mail:welcome", { args: ["ann"] });
  expect(run.error).toBeUndefined();
  expect(run.ran).toEqual(["environment", "mail:templates", "mail:welcome"]);
  expect(run.stdout).toBe("templates ready\nwelcome sent to ann\n");
  expect(run.result).toEqual({ sent: 1 });
});

test("a failing task: its error and chain, exit code 1", async () => {
  const run = await runTask("mail:welcome[nobody]");
  expect(run.ok).toBe(false);
  expect(run.exitCode).toBe(1);
  expect(run.error.message).toBe("no such user: nobody");
  expect(run.error.chain).toEqual(["mail:welcome"]);
});

test("as jobs: enqueued on its queue, drained, retried as the clock moves; the nightly digest runs at 02:00", async () => {
  const jobs = testJobs({ now: new Date("2026-12-08T01:00:00Z") });
  try {
    await jobs.enqueue("mail:welcome", { args: ["bob"] });
    await jobs.enqueue("mail:welcome", { args: ["nobody"] });
    expect((await jobs.enqueued()).map((job) => [job.task, job.args, job.queue])).toEqual([
      ["mail:welcome", ["bob"], "mail"],
      ["mail:welcome", ["nobody"], "mail"],
    ]);
    expect(await jobs.drain()).toMatchObject({ completed: 1, failed: 0, retrying: 1 });
    const later = await jobs.advance("2h");
    expect(later).toMatchObject({ completed: 1, failed: 1 });
    expect(later.stdout).toContain("digest sent");
    expect((await jobs.enqueued({ state: "failed" })).map((job) => job.attempts)).toEqual([3]);
  } finally {
    await jobs.close();
  }
});
