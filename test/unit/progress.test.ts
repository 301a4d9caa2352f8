/**
 * The two pure-ish parts of `ctx.progress`: the writer that stores a job's reports at most once
 * per interval (on a real SQLite store), and the plain lines a terminal run prints off a terminal.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ProgressWriter, type ProgressUpdate } from "../../src/jobs/progress-writer.js";
import { SqliteStore } from "../../src/jobs/store/sqlite.js";
import type { Job, JobStore } from "../../src/jobs/store/store.js";
import { progressDisplay, progressText } from "../../src/report/progress.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const update = (done: number, total: number | null = 100, message: string | null = null): ProgressUpdate => ({ done, total, message });

describe("ProgressWriter", () => {
  let dir: string;
  let store: SqliteStore;
  let writes: number[];
  let counting: JobStore;
  let job: Job;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "jt-progress-"));
    store = new SqliteStore(join(dir, "jobs.sqlite3"));
    await store.migrate();
    writes = [];
    // The real store, with its progress writes counted.
    counting = Object.assign(Object.create(store) as JobStore, {
      reportProgress: (held: Job, workerId: string, report: ProgressUpdate) => {
        writes.push(report.done);
        return store.reportProgress(held, workerId, report);
      },
    });
    await store.enqueue([{ task: "t", args: [], queue: "default", priority: 0, runAt: null, maxAttempts: 1, uniqueKey: null }]);
    job = (await store.claim({ workerId: "w", queues: undefined, limit: 1, leaseMs: 60_000 }))[0]!;
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a burst of reports is one write, of the latest", async () => {
    const writer = new ProgressWriter(counting, "w", () => {}, 100);
    for (let done = 0; done < 1000; done++) writer.report(job, update(done));
    await sleep(50);
    expect(writes).toEqual([999]);
    expect((await store.get(job.id))?.progress).toMatchObject({ done: 999, total: 100 });
  });

  test("steady reports are written about once per interval; finish() writes the last one at once", async () => {
    const writer = new ProgressWriter(counting, "w", () => {}, 100);
    for (let done = 1; done <= 40; done++) {
      writer.report(job, update(done, 40));
      await sleep(10);
    }
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.length).toBeLessThanOrEqual(6);
    await writer.finish(job);
    expect(writes.at(-1)).toBe(40);
    expect((await store.get(job.id))?.progress).toMatchObject({ done: 40, total: 40 });
    // Forgotten after finish: nothing more is written.
    const count = writes.length;
    await sleep(150);
    expect(writes.length).toBe(count);
  });

  test("a write that fails is reported, not thrown", async () => {
    const errors: string[] = [];
    const failing = Object.assign(Object.create(store) as JobStore, {
      reportProgress: () => Promise.reject(new Error("database is locked")),
    });
    const writer = new ProgressWriter(failing, "w", (_job, error) => errors.push((error as Error).message), 100);
    writer.report(job, update(1));
    await writer.finish(job);
    expect(errors).toEqual(["database is locked"]);
  });
});

describe("progress lines, off a terminal", () => {
  function capture(): { stream: NodeJS.WriteStream; text: () => string } {
    let text = "";
    const write = (chunk: string) => {
      text += chunk;
      return true;
    };
    const stream = { isTTY: false, write } as unknown as NodeJS.WriteStream;
    return { stream, text: () => text };
  }

  test("the first report, then one per interval per task, and always the one that reaches the total", () => {
    let now = 0;
    const out = capture();
    const display = progressDisplay({ stream: out.stream, env: {}, lineIntervalMs: 1000, now: () => now });
    display.report("a", update(0, 10));
    display.report("b", update(1, null, "files"));
    now = 500;
    display.report("a", update(4, 10));
    now = 1000;
    display.report("a", update(5, 10, "half"));
    now = 1200;
    display.report("a", update(10, 10, "done"));
    expect(out.text()).toBe(["jt: a: 0/10 (0%)", "jt: b: 1 files", "jt: a: 5/10 (50%) half", "jt: a: 10/10 (100%) done", ""].join("\n"));
  });

  test("TERM=dumb is not a terminal for bars", () => {
    const out = capture();
    Object.assign(out.stream, { isTTY: true });
    progressDisplay({ stream: out.stream, env: { TERM: "dumb" } }).report("a", update(1, 2));
    expect(out.text()).toBe("jt: a: 1/2 (50%)\n");
  });

  test("percentages round down and stop at 100", () => {
    expect(progressText(update(2, 3))).toBe("2/3 (66%)");
    expect(progressText(update(12, 10, "over"))).toBe("12/10 (100%) over");
    expect(progressText(update(0.5, null))).toBe("0.5");
  });
});

describe("wellFormed", () => {
  test("lone surrogates become U+FFFD; pairs and other text stay", async () => {
    const { wellFormed } = await import("../../src/shared/well-formed.js");
    expect(wellFormed("a\ud800b")).toBe("a\ufffdb");
    expect(wellFormed("\udc00")).toBe("\ufffd");
    expect(wellFormed("ok \ud83d\ude00 \u00e9")).toBe("ok \ud83d\ude00 \u00e9");
    expect(wellFormed("\ud83d")).toBe("\ufffd");
  });
});
