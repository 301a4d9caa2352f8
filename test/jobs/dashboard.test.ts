/**
 * The web dashboard (issue 15), over HTTP on both stores: `jt jobs:dashboard` and `dashboard()`
 * mounted in an app's own server. A failed job is found by filtering, retried from its page and
 * seen completed; a filter's jobs are discarded in bulk; pages come in keyset pages; job data is
 * escaped everywhere; actions need the page's CSRF token and are refused read-only; the command
 * refuses a public address without a token; Prometheus metrics with queue depth, latency,
 * throughput and schedule lag. (In a real browser: dashboard-browser.test.ts.)
 */
import { get } from "node:http";
import { describe, expect, onTestFinished, test } from "vitest";
import { jobsConfig, showJob } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import { project, type TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const XSS_ARG = `<script>alert("arg")</script>`;
const XSS_ERROR = `"><img src=x onerror=alert(1)>`;

const TASKS = `import { existsSync } from "node:fs";
import { task } from "jobs-and-tasks";

/** Fails until the file "fixed" exists: the cause an operator fixes before retrying. */
task("sync", { args: ["account"], retry: { attempts: 1 } }, ({ args }) => {
  if (!existsSync("fixed")) throw new Error(\`cannot reach \${args.account}: ${XSS_ERROR}\`);
  return { synced: args.account };
});
task("noise", { args: ["n"], retry: { attempts: 1 } }, () => {
  throw new Error("noise");
});
task("later", { args: ["n"] }, () => {});
`;

const SERVER = `import { createServer } from "node:http";
import { dashboard } from "jobs-and-tasks";
const jobs = dashboard({ prefix: "/admin/jobs", authorize: (request) => request.headers.get("x-admin") === "yes" });
// The fetch-style handler, as a Next.js route handler or Hono would call it.
const viaFetch = dashboard({ prefix: "/fetched", readOnly: true });
const server = createServer(async (req, res) => {
  if (req.url.startsWith("/admin/jobs")) return jobs.handle(req, res);
  if (req.url === "/metrics") {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    return res.end(await jobs.metrics());
  }
  if (req.url.startsWith("/fetched")) {
    const response = await viaFetch.fetch(new Request(\`http://\${req.headers.host}\${req.url}\`));
    res.writeHead(response.status, { "content-type": response.headers.get("content-type") });
    return res.end(await response.text());
  }
  res.end("the app\\n");
});
server.listen(0, "127.0.0.1", () => console.log(\`listening on \${server.address().port}\`));
process.on("SIGTERM", () => jobs.close().then(() => process.exit(0)));
`;

const stores = eachStore();

function app(): TestProject {
  return project({
    "package.json": `${JSON.stringify({ name: "dashboard-app", private: true, type: "module" })}\n`,
    "jt.config.json": jobsConfig({}, { environment: undefined }),
    "tasks/jobs.ts": TASKS,
    "server.mjs": SERVER,
  }).installJt();
}

/** A browser's session: keeps cookies, follows nothing (redirects are asserted). */
class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string; response: Response }> {
    const response = await fetch(`${this.base}${path}`, {
      headers: { ...this.headers, ...headers, cookie: this.cookieHeader() },
      redirect: "manual",
    });
    this.keep(response);
    return { status: response.status, html: await response.text(), response };
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.base}${path}`, {
      method: "POST",
      headers: { ...this.headers, ...headers, cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });
    this.keep(response);
    return response;
  }

  private keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, value] = pair!.split("=");
      this.cookies.set(name!, value!);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** The CSRF token the page's forms carry. */
function csrfOf(html: string): string {
  const token = /name="csrf" value="([0-9a-f]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token in the page:\n${html}`);
  return token;
}

async function serve(p: TestProject, env: Record<string, string>, args: string[] = []): Promise<Browser> {
  const server = spawnJt(p.root, ["jobs:dashboard", "--port", "0", ...args], { env, timeoutMs: 60_000 }, { onTestFinished });
  const [, url] = await server.waitFor("stderr", /jobs dashboard on (http:\/\/\S+\/) /);
  return new Browser(url!.replace(/\/$/, ""));
}

async function workoff(p: TestProject, env: Record<string, string>): Promise<void> {
  await p.run(["jobs:workoff"], { env });
}

describe.each(Object.keys(stores))("the dashboard, on %s", (name) => {
  test("a failed job is found by filtering, retried from its page once its cause is fixed, and shows completed; its data is escaped", async () => {
    const env = stores[name]!();
    const p = app();
    expect((await p.run(["jobs:enqueue", `sync[${XSS_ARG}]`], { env })).code).toBe(0);
    expect((await p.run(["jobs:enqueue", "noise[1]"], { env })).code).toBe(0);
    await workoff(p, env);
    const browser = await serve(p, env);

    const overview = await browser.get("/");
    expect(overview.status).toBe(200);
    expect(overview.html).toMatch(/<tr data-queue="default">.*<a href="\/jobs\?queue=default&amp;state=failed">2<\/a>/s);
    expect(overview.response.headers.get("content-security-policy")).toMatch(/script-src 'nonce-[^']+'/);

    const found = await browser.get(`/jobs?state=failed&q=${encodeURIComponent("cannot reach")}`);
    expect(found.html.match(/<tr data-job="(\d+)">/g)).toEqual(['<tr data-job="1">']);
    for (const page of [overview.html, found.html]) {
      expect(page).not.toContain(XSS_ARG);
      expect(page).not.toContain("<img src=x");
    }
    expect(found.html).toContain("sync[&lt;script&gt;alert(&quot;arg&quot;)&lt;/script&gt;]");

    const jobPage = await browser.get("/jobs/1");
    expect(jobPage.html).not.toContain(XSS_ARG);
    expect(jobPage.html).not.toContain("<img src=x");
    expect(jobPage.html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(jobPage.html).toMatch(/<pre>Error: cannot reach .*\n\s+at .*tasks\/jobs\.ts:\d+:\d+/);

    // Without the page's token, or from another origin, nothing happens.
    expect((await browser.post("/jobs/1/retry", {})).status).toBe(403);
    expect((await browser.post("/jobs/1/retry", { csrf: "0".repeat(32) })).status).toBe(403);
    expect((await browser.post("/jobs/1/retry", { csrf: csrfOf(jobPage.html) }, { origin: "http://evil.example" })).status).toBe(403);
    expect((await showJob(p, 1, env)).state).toBe("failed");

    p.file("fixed", "");
    const retried = await browser.post("/jobs/1/retry", { csrf: csrfOf(jobPage.html) });
    expect(retried.status).toBe(303);
    expect(retried.headers.get("location")).toBe("/jobs/1?notice=Retried+job+1");
    expect((await browser.get("/jobs/1?notice=Retried+job+1")).html).toContain('<p class="notice" role="status">Retried job 1</p>');
    await workoff(p, env);
    const done = await browser.get("/jobs/1");
    expect(done.html).toContain('<td class="state-completed" id="state">completed</td>');
    expect(done.html).toMatch(/<pre id="result">\{\n {2}&quot;synced&quot;: &quot;&lt;script&gt;alert/);
    // The live refresh gets the page's main part alone.
    const live = await browser.get("/jobs/1", { "x-jt-live": "1" });
    expect(live.response.headers.get("x-jt-live")).toBe("1");
    expect(live.html).not.toContain("<html");
    expect(live.html).toContain('id="state">completed<');
  }, 90_000);

  test("bulk: discard every job a filter matches; pages of 50 by keyset; read-only shows and changes nothing", async () => {
    const env = stores[name]!();
    const p = app();
    const seed = ["jobs:enqueue"];
    for (let i = 0; i < 3; i++) expect((await p.run([...seed, `noise[${i}]`], { env })).code).toBe(0);
    expect((await p.run([...seed, "sync[acme]"], { env })).code).toBe(0);
    await workoff(p, env);
    // 120 queued jobs for paging, enqueued in one run.
    p.file(
      "tasks/seed.ts",
      `import { task } from "jobs-and-tasks";\ntask("seed", async ({ enqueue }) => { for (let i = 0; i < 120; i++) await enqueue("later", { args: [i], wait: "1h" }); });\n`,
    );
    expect((await p.run(["seed"], { env })).code).toBe(0);

    const browser = await serve(p, env);
    const list = await browser.get("/jobs?state=failed&task=noise");
    expect(list.html.match(/<tr data-job=/g)).toHaveLength(3);
    const discarded = await browser.post("/jobs/bulk", { csrf: csrfOf(list.html), action: "discard", state: "failed", task: "noise" });
    expect(discarded.status).toBe(303);
    expect(discarded.headers.get("location")).toBe("/jobs?state=failed&task=noise&notice=Discarded+3+jobs");
    expect((await browser.get("/jobs?state=failed&task=noise")).html).toContain("No jobs.");
    expect((await browser.get("/jobs?state=failed")).html.match(/<tr data-job=/g)).toHaveLength(1);

    const ids = (html: string) => [...html.matchAll(/<tr data-job="(\d+)">/g)].map((m) => Number(m[1]));
    const first = await browser.get("/jobs?task=later");
    expect(ids(first.html)).toHaveLength(50);
    const next = /<a rel="next" href="([^"]+)">/.exec(first.html)![1]!.replace(/&amp;/g, "&");
    expect(next).toBe(`/jobs?task=later&before=${ids(first.html).at(-1)}`);
    const second = await browser.get(next);
    expect(ids(second.html)[0]).toBe(ids(first.html).at(-1)! - 1);
    const third = await browser.get(/<a rel="next" href="([^"]+)">/.exec(second.html)![1]!.replace(/&amp;/g, "&"));
    expect(ids(third.html)).toHaveLength(20);
    expect(third.html).not.toContain('rel="next"');

    const readOnly = await serve(p, env, ["--read-only"]);
    const page = await readOnly.get("/jobs/4");
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('<form class="inline" method="post"');
    expect(page.html).toContain("read-only");
    expect((await readOnly.post("/jobs/4/retry", { csrf: csrfOf(list.html) })).status).toBe(403);
  }, 90_000);
});

describe("the tasks page", () => {
  test("every task with its description and job settings, and a form with its declared args that enqueues it", async () => {
    const p = app();
    p.file(
      "tasks/more.ts",
      `import { desc, task } from "jobs-and-tasks";\ndesc("Send the digest to these users");\ntask("digest", { args: ["day", "logins..."], queue: "mail", retry: { attempts: 2 } }, () => {});\n`,
    );
    const browser = await serve(p, {});
    const page = await browser.get("/tasks");
    expect(page.status).toBe(200);
    expect(page.html).toMatch(
      /<tr data-task="digest">\s*<td><a href="\/jobs\?task=digest">digest<\/a><\/td>\s*<td>Send the digest to these users<\/td>\s*<td>queue mail, 2 attempts<\/td>/,
    );
    expect(page.html).toContain('<input name="arg:day" value="">');
    expect(page.html).toContain('<input name="arg:logins..." value="">');
    const enqueued = await browser.post("/tasks/enqueue", {
      csrf: csrfOf(page.html),
      task: "digest",
      "arg:day": "monday",
      "arg:logins...": "ann, bob",
    });
    expect(enqueued.status).toBe(303);
    expect(enqueued.headers.get("location")).toBe("/jobs/1?notice=Enqueued+job+1");
    expect(await showJob(p, 1, {})).toMatchObject({ task: "digest", args: ["monday", "ann", "bob"], queue: "mail", maxAttempts: 2 });
    const later = await browser.post("/tasks/enqueue", { csrf: csrfOf(page.html), task: "later", "arg:n": "1" });
    expect(later.headers.get("location")).toBe("/jobs/2?notice=Enqueued+job+2");
    expect((await browser.post("/tasks/enqueue", { csrf: csrfOf(page.html), task: "nope" })).status).toBe(400);

    // Pausing a task from its row: shown paused, and jt jobs:pause lists it.
    const paused = await browser.post("/tasks/digest/pause", { csrf: csrfOf(page.html) });
    expect(paused.headers.get("location")).toBe("/tasks?notice=Paused+task+digest");
    expect((await browser.get("/tasks")).html).toMatch(
      /<td>queue mail, 2 attempts <span class="state-running">paused<\/span><\/td>.*Resume its jobs/s,
    );
    expect((await p.run(["jobs:pause"])).stdout).toMatch(/^task digest \(paused/);
    expect((await browser.post("/tasks/nope/pause", { csrf: csrfOf(page.html) })).status).toBe(404);
  }, 60_000);
});

describe("guarding the dashboard", () => {
  test("jt jobs:dashboard refuses a public address without a token; with one, a request needs it (once in the URL, then a cookie, or a Bearer header)", async () => {
    const p = app();
    const refused = await p.run(["jobs:dashboard", "--host", "0.0.0.0", "--port", "0"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Refusing to serve the jobs dashboard on 0.0.0.0 without authentication");
    expect(refused.stderr).toContain("JT_DASHBOARD_TOKEN");

    const token = "a-long-random-secret-for-the-test";
    const server = spawnJt(
      p.root,
      ["jobs:dashboard", "--host", "0.0.0.0", "--port", "0"],
      { env: { JT_DASHBOARD_TOKEN: token } },
      { onTestFinished },
    );
    const [, port] = await server.waitFor("stderr", /http:\/\/0\.0\.0\.0:(\d+)\/ .*\(token required\)/);
    const browser = new Browser(`http://127.0.0.1:${port}`);
    expect((await browser.get("/")).status).toBe(401);
    expect((await browser.get("/?token=wrong")).status).toBe(401);
    const opened = await browser.get(`/jobs?state=failed&token=${token}`);
    expect(opened.status).toBe(303);
    expect(opened.response.headers.get("location")).toBe("/jobs?state=failed");
    expect((await browser.get("/jobs?state=failed")).status).toBe(200);
    expect((await new Browser(`http://127.0.0.1:${port}`, { authorization: `Bearer ${token}` }).get("/")).status).toBe(200);
    expect((await new Browser(`http://127.0.0.1:${port}`, { authorization: "Bearer nope" }).get("/")).status).toBe(401);
  }, 60_000);

  test("on 127.0.0.1 it answers only requests addressed to it (DNS rebinding), and a same-host POST through a TLS proxy passes", async () => {
    const p = app();
    expect((await p.run(["jobs:enqueue", "later[1]"])).code).toBe(0);
    const browser = await serve(p, {});
    const port = new URL(browser.base).port;
    // fetch() sets Host itself: node:http sends the one a rebound domain would.
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      get({ host: "127.0.0.1", port: Number(port), path: "/jobs/1", headers: { host: `evil.example:${port}` } }, (response) => {
        let body = "";
        response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      }).on("error", reject);
    });
    expect(rebound.status).toBe(421);
    expect(rebound.body).toContain("answers only to its loopback address");
    expect((await fetch(`http://localhost:${port}/`)).status).toBe(200);
    const page = await browser.get("/jobs/1");
    // A proxy ending TLS: the browser's Origin says https, the request arrives as http with the same host.
    const cancelled = await browser.post("/jobs/1/cancel", { csrf: csrfOf(page.html) }, { origin: `https://127.0.0.1:${port}` });
    expect(cancelled.status).toBe(303);
    expect((await browser.post("/jobs/1/retry", { csrf: csrfOf(page.html) }, { origin: `https://evil.example` })).status).toBe(403);
  }, 60_000);

  test("dashboard() mounted in the app's own server: under its prefix, behind the app's authorize", async () => {
    const p = app();
    expect((await p.run(["jobs:enqueue", "later[1]"])).code).toBe(0);
    const server = spawnJt(p.root, [], { bin: "server.mjs", timeoutMs: 60_000 }, { onTestFinished });
    const [, port] = await server.waitFor("stdout", /listening on (\d+)/);
    const base = `http://127.0.0.1:${port}`;
    expect((await new Browser(base).get("/admin/jobs/")).status).toBe(401);
    const admin = new Browser(base, { "x-admin": "yes" });
    const overview = await admin.get("/admin/jobs/");
    expect(overview.status).toBe(200);
    expect(overview.html).toContain('<a href="/admin/jobs/jobs?queue=default&amp;state=queued">1</a>');
    const job = await admin.get("/admin/jobs/jobs/1");
    expect(job.html).toContain('action="/admin/jobs/jobs/1/cancel"');
    const cancelled = await admin.post("/admin/jobs/jobs/1/cancel", { csrf: csrfOf(job.html) });
    expect(cancelled.headers.get("location")).toBe("/admin/jobs/jobs/1?notice=Cancelled+job+1");
    expect((await showJob(p, 1, {})).state).toBe("cancelled");
    expect(await (await fetch(`${base}/`)).text()).toBe("the app\n");
    const fetched = await new Browser(base).get("/fetched/jobs?state=cancelled");
    expect(fetched.status).toBe(200);
    expect(fetched.html).toContain('<a href="/fetched/jobs/1">1</a>');
    expect(fetched.html).toContain("read-only");

    // Prometheus: at <prefix>/metrics (behind the same authorize), and metrics() for a route of the app's own.
    expect((await new Browser(base).get("/admin/jobs/metrics")).status).toBe(401);
    const scraped = await admin.get("/admin/jobs/metrics");
    expect(scraped.response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const text of [scraped.html, await (await fetch(`${base}/metrics`)).text()]) {
      expect(text).toContain('# TYPE jt_jobs gauge\njt_jobs{queue="default",state="cancelled"} 1\n');
      expect(text).toContain("# HELP jt_queue_latency_seconds Age of the oldest runnable job, per queue");
      expect(text).toContain('jt_workers{state="live"} 0');
    }
  }, 60_000);
});

describe("metrics", () => {
  test("/metrics: depth and latency per queue, what finished in 5 minutes per queue and task, each schedule's lag and pauses", async () => {
    const p = app();
    p.file("tasks/clock.ts", `import { task } from "jobs-and-tasks";\ntask("tick", { cron: "* * * * * *", queue: "clock" }, () => {});\n`);
    for (const target of ["later[1]", "later[2]", "noise[1]"]) expect((await p.run(["jobs:enqueue", target])).code).toBe(0);
    await workoff(p, {});
    expect((await p.run(["jobs:enqueue", "later[3]"])).code).toBe(0);
    const worker = spawnJt(p.root, ["jobs:work", "--queues", "clock"], { timeoutMs: 60_000 }, { onTestFinished });
    await worker.waitFor("stderr", /enqueued tick for/, 20_000);
    const browser = await serve(p, {});
    // Wait for the tick job to have run (its lag is measured once it has).
    let text = "";
    for (let i = 0; i < 50 && !/jt_schedule_finish_lag_seconds\{schedule="tick"\}/.test(text); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = (await browser.get("/metrics")).html;
    }
    expect(text).toMatch(/^jt_jobs\{queue="default",state="completed"\} 2$/m);
    expect(text).toMatch(/^jt_jobs\{queue="default",state="failed"\} 1$/m);
    expect(text).toMatch(/^jt_jobs\{queue="default",state="queued"\} 1$/m);
    expect(text).toMatch(/^jt_queue_latency_seconds\{queue="default"\} \d+(\.\d+)?$/m);
    expect(text).toMatch(/^jt_jobs_finished_5m\{queue="default",task="later",state="completed"\} 2$/m);
    expect(text).toMatch(/^jt_jobs_finished_5m\{queue="default",task="noise",state="failed"\} 1$/m);
    expect(text).toMatch(/^jt_schedule_start_lag_seconds\{schedule="tick"\} \d+(\.\d+)?$/m);
    expect(text).toMatch(/^jt_schedule_missed\{schedule="tick"\} 0$/m);
    expect(text).toMatch(/^jt_schedule_paused\{schedule="tick"\} 0$/m);
    expect(text).toMatch(/^jt_workers\{state="live"\} 1$/m);

    const overview = await browser.get("/");
    const paused = await browser.post("/queues/default/pause", { csrf: csrfOf(overview.html) });
    expect(paused.headers.get("location")).toBe("/?notice=Paused+queue+default");
    const schedules = await browser.get("/schedules");
    expect((await browser.post("/schedules/tick/pause", { csrf: csrfOf(schedules.html) })).headers.get("location")).toBe(
      "/schedules?notice=Paused+schedule+tick",
    );
    expect((await browser.post("/schedules/nope/pause", { csrf: csrfOf(schedules.html) })).status).toBe(404);
    const after = (await browser.get("/metrics")).html;
    expect(after).toMatch(/^jt_queue_paused\{queue="default"\} 1$/m);
    expect(after).toMatch(/^jt_schedule_paused\{schedule="tick"\} 1$/m);
  }, 60_000);
});
