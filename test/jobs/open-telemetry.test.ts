/**
 * The OpenTelemetry integration (issue 16): with `@opentelemetry/api` and an SDK in the app, an
 * enqueue from app code inside a request's span gets a producer span, the job carries its trace
 * context, and the worker's consumer span continues the trace, the task's own spans inside it; a
 * failed run's span records the exception. `openTelemetry: false` turns it off; `true` without
 * the package is refused.
 */
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, onTestFinished, test } from "vitest";
import { fileLines, jobsProject, listJobs, showJob } from "../helpers/jobs.js";
import type { TestProject } from "../helpers/project.js";
import { REPO_ROOT } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const FIXTURE = join(import.meta.dirname, "fixtures/otel");
const read = (path: string) => readFileSync(join(FIXTURE, path), "utf8");

interface SpanLine {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  status: number;
  events: string[];
  attributes: Record<string, string | number>;
}

const PRODUCER = 3;
const CONSUMER = 4;
const ERROR = 2;

function app(jobs: Record<string, unknown> = {}): TestProject {
  const p = jobsProject("otel-app", read("tasks/reports.ts"), {
    jobs,
    files: { "otel.mjs": read("otel.mjs"), "request.mjs": read("request.mjs") },
  });
  symlinkSync(join(REPO_ROOT, "node_modules/@opentelemetry"), p.path("node_modules/@opentelemetry"), "dir");
  return p;
}

function withSdk(p: TestProject): Record<string, string> {
  return { NODE_OPTIONS: `--import=${p.path("otel.mjs")}` };
}

async function request(p: TestProject, format: string): Promise<number> {
  const run = spawnJt(p.root, [format], { env: withSdk(p), bin: "request.mjs", timeoutMs: 60_000 }, { onTestFinished });
  const exit = await run.exited;
  expect(exit.stderr).toBe("");
  return Number(exit.stdout.trim());
}

function spans(p: TestProject): SpanLine[] {
  return fileLines(p, "spans.jsonl").map((line) => JSON.parse(line) as SpanLine);
}

describe("OpenTelemetry", () => {
  test("a job's spans continue the trace of the request that enqueued it; a failed run's span records its exception", async () => {
    const p = app();
    const csv = await request(p, "csv");
    const pdf = await request(p, "pdf");
    expect((await showJob(p, csv)).meta.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const worked = await p.run(["jobs:workoff"], { env: withSdk(p) });
    expect(worked.code).toBe(1);

    const all = spans(p);
    for (const [id, format] of [
      [csv, "csv"],
      [pdf, "pdf"],
    ] as const) {
      const enqueue = all.find((span) => span.name === "enqueue report:export" && span.attributes["messaging.message.id"] === String(id));
      expect(enqueue, format).toBeDefined();
      const requestSpan = all.find((span) => span.spanId === enqueue!.parentSpanId)!;
      expect(requestSpan.name).toBe("POST /reports");
      expect(enqueue).toMatchObject({
        kind: PRODUCER,
        traceId: requestSpan.traceId,
        attributes: { "messaging.system": "jt", "messaging.destination.name": "default", "jt.task": "report:export" },
      });
      const perform = all.find((span) => span.name === "perform report:export" && span.attributes["messaging.message.id"] === String(id))!;
      expect(perform).toMatchObject({
        kind: CONSUMER,
        traceId: requestSpan.traceId,
        parentSpanId: enqueue!.spanId,
        attributes: { "messaging.operation.type": "process", "jt.job.attempt": 1 },
      });
      const render = all.find((span) => span.name === "render" && span.parentSpanId === perform.spanId);
      expect(render, `the task's own span inside job ${id}'s`).toBeDefined();
      if (format === "pdf") {
        expect(perform.status).toBe(ERROR);
        expect(perform.events).toContain("exception");
      } else {
        expect(perform.status).not.toBe(ERROR);
      }
    }
  }, 90_000);

  test("openTelemetry: false makes no spans of jt's; true without @opentelemetry/api installed is refused", async () => {
    const off = app({ openTelemetry: false });
    const id = await request(off, "csv");
    expect((await showJob(off, id)).meta).toEqual({});
    expect((await off.run(["jobs:workoff"], { env: withSdk(off) })).code).toBe(0);
    expect(
      spans(off)
        .map((span) => span.name)
        .sort(),
    ).toEqual(["POST /reports", "render"]);

    const missing = jobsProject(
      "otel-missing",
      'import { task } from "jobs-and-tasks";\ntask("report:export", { args: ["format"] }, () => {});\n',
      {
        jobs: { openTelemetry: true },
      },
    );
    const result = await missing.run(["jobs:enqueue", "report:export[csv]"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("jobs.openTelemetry is true, but @opentelemetry/api is not installed in this app");
    expect(await listJobs(missing)).toEqual([]);
  }, 60_000);
});
