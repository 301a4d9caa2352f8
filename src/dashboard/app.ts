/**
 * The dashboard as a Hono app: its routes (overview, jobs, a job; the actions as POSTs) and what
 * guards them: the `authorize` hook, a CSRF token on every action (a cookie the page's forms
 * echo, SameSite=Strict, and a matching Origin when the browser sends one), read-only mode, and
 * a Content-Security-Policy that runs only the page's own script.
 */
import { formatTarget } from "../args/brackets.js";
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { basicAuth } from "hono/basic-auth";
import { getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import type { Jobs } from "../jobs/jobs.js";
import { describeLocation, type StoreLocation } from "../jobs/store/open.js";
import type { JobFilter, JobState, JobStore } from "../jobs/store/store.js";
import { effectiveSchedules, schedulesHealth } from "../jobs/schedules.js";
import { isRestArg } from "../args/task-arguments.js";
import { pausedNames, togglePause } from "../jobs/pauses.js";
import { EnqueueError } from "../jobs/jobs.js";
import { ENVIRONMENT } from "../registry/task.js";
import { chartScript } from "./assets.js";
import { schedulesPage, workersPage } from "./fleet-pages.js";
import { jobsMetrics } from "./metrics.js";
import { jobPage, jobsPage, layout, notFoundPage, overviewPage, STATES, tasksPage, type PageContext } from "./pages.js";

export interface DashboardAppOptions {
  jobs: Jobs;
  location: StoreLocation;
  /** Where it is mounted: "" or "/admin/jobs" (no trailing slash). */
  prefix: string;
  readOnly: boolean;
  authorize?: ((request: Request) => boolean | Promise<boolean>) | undefined;
  basicAuth?: { username: string; password: string } | undefined;
}

export interface DashboardApp {
  fetch(request: Request): Promise<Response>;
  /** The Prometheus text of /metrics. */
  metrics(): Promise<string>;
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

const PAGE_SIZE = 50;
/** Bulk actions go through the matching jobs this many at a time. */
const BATCH = 1000;
const CSRF_COOKIE = "jt_csrf";
type Action = "retry" | "discard" | "cancel";
const ACTIONS: readonly Action[] = ["retry", "discard", "cancel"];
const DONE: Record<Action, string> = { retry: "Retried", discard: "Discarded", cancel: "Cancelled" };
/** The overview's chart: the last hour, a minute a bucket. */
const CHART_MS = 3_600_000;
const BUCKET_MS = 60_000;

export function createDashboardApp(options: DashboardAppOptions): DashboardApp {
  const prefix = options.prefix.replace(/\/+$/, "");
  const store = options.jobs.store;
  const storeName = describeLocation(options.location);
  // Not strict: "/admin/jobs" and "/admin/jobs/" are the same page.
  const app = new Hono({ strict: false });
  const routes = prefix === "" ? app : new Hono({ strict: false });

  const credentials = options.basicAuth;
  if (credentials) routes.use("*", basicAuth({ ...credentials, realm: "jt jobs" }));

  routes.use("*", async (c, next) => {
    if (options.authorize && !(await options.authorize(c.req.raw))) return c.text("Not authorized\n", 401);
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Frame-Options", "DENY");
  });

  routes.use("*", async (c, next) => {
    if (c.req.method !== "POST") return next();
    if (options.readOnly) return c.text("This dashboard is read-only\n", 403);
    // The host alone: behind a proxy that ends TLS the request arrives as http:// while the browser says https://.
    const origin = c.req.header("origin");
    const host = c.req.header("x-forwarded-host") ?? c.req.header("host");
    if (origin !== undefined && hostOf(origin) !== host) return c.text("Cross-origin request refused\n", 403);
    const form = await c.req.parseBody();
    const token = getCookie(c, CSRF_COOKIE);
    if (!token || form.csrf !== token) return c.text("Missing or wrong CSRF token: reload the page and try again\n", 403);
    return next();
  });

  const render = async (c: Context, title: string, body: (context: PageContext) => ReturnType<typeof overviewPage>, status = 200) => {
    let csrf = getCookie(c, CSRF_COOKIE);
    if (!csrf) {
      csrf = randomBytes(16).toString("hex");
      setCookie(c, CSRF_COOKIE, csrf, { httpOnly: true, sameSite: "Strict", path: prefix || "/" });
    }
    const nonce = randomBytes(12).toString("base64");
    const context: PageContext = {
      prefix,
      readOnly: options.readOnly,
      csrf,
      nonce,
      now: await store.now(),
      notice: c.req.query("notice"),
      storeName,
    };
    c.header(
      "Content-Security-Policy",
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    c.header("Cache-Control", "no-store");
    if (c.req.header("x-jt-live") === "1") {
      c.header("x-jt-live", "1");
      return c.html(await body(context), status as 200);
    }
    return c.html(await layout(context, title, body(context)), status as 200);
  };

  routes.get("/", (c) =>
    render(c, "Overview", async (context) => {
      // Whole minutes, so a bucket's edges do not move between refreshes.
      const since = Math.floor((context.now - CHART_MS) / BUCKET_MS + 1) * BUCKET_MS;
      const [stats, oldestRunnable, recentFailures, pauses, buckets] = await Promise.all([
        store.stats(),
        store.oldestRunnable(),
        store.list({ states: ["failed"], limit: 10 }),
        store.pauses(),
        store.throughput(since, BUCKET_MS),
      ]);
      return overviewPage(context, {
        stats,
        oldestRunnable,
        recentFailures,
        pausedQueues: [...pausedNames(pauses, "queue")],
        throughput: { since, bucketMs: BUCKET_MS, buckets },
      });
    }),
  );

  routes.get("/assets/uplot.js", (c) => {
    c.header("Cache-Control", "public, max-age=86400");
    c.header("Content-Type", "text/javascript; charset=utf-8");
    return c.body(chartScript());
  });

  const schedules = async () => effectiveSchedules(options.jobs.catalog, await store.storedSchedules()).schedules;
  routes.get("/schedules", (c) =>
    render(c, "Schedules", async (context) => {
      return schedulesPage(context, await schedulesHealth(store, await schedules(), context.now));
    }),
  );

  routes.post("/schedules/:name/:action", async (c) => {
    const schedule = (await schedules()).find((s) => s.name === c.req.param("name"));
    const action = c.req.param("action");
    if (!schedule || !["run", "pause", "resume"].includes(action)) return c.text("Not found\n", 404);
    let notice: string;
    if (action === "run") {
      const job = await options.jobs.enqueue(schedule.task, { args: [...schedule.args] });
      notice = `Enqueued job ${job.id} (${formatTarget(schedule.task, schedule.args)})`;
    } else {
      notice = await togglePause(store, "schedule", schedule.name, action === "pause");
    }
    return c.redirect(`${prefix}/schedules?${new URLSearchParams({ notice }).toString()}`, 303);
  });

  routes.post("/queues/:queue/:action", async (c) => {
    const queue = c.req.param("queue");
    const action = c.req.param("action");
    if (!["pause", "resume"].includes(action) || queue === "") return c.text("Not found\n", 404);
    const notice = await togglePause(store, "queue", queue, action === "pause");
    return c.redirect(`${prefix}/?${new URLSearchParams({ notice }).toString()}`, 303);
  });

  routes.get("/workers", (c) => render(c, "Workers", async (context) => workersPage(context, await store.workers())));

  const metrics = jobsMetrics(store, schedules);
  routes.get("/metrics", async (c) => {
    c.header("Content-Type", metrics.registry.contentType);
    c.header("Cache-Control", "no-store");
    return c.body(await metrics.scrape());
  });

  routes.get("/jobs", (c) => {
    const filter = filterOf((name) => c.req.query(name));
    const before = Number(c.req.query("before"));
    return render(c, "Jobs", async (context) => {
      const page = await store.list({
        ...filter,
        limit: PAGE_SIZE + 1,
        beforeId: Number.isInteger(before) && before > 0 ? before : undefined,
      });
      const more = page.length > PAGE_SIZE;
      const shown = page.slice(0, PAGE_SIZE);
      return jobsPage(context, filter, shown, more ? shown.at(-1)!.id : undefined);
    });
  });

  routes.get("/jobs/:id", async (c) => {
    const id = Number(c.req.param("id"));
    const job = Number.isInteger(id) && id > 0 ? await store.get(id) : undefined;
    if (!job) return render(c, "Not found", (context) => notFoundPage(context, `There is no job ${c.req.param("id")}.`), 404);
    return render(c, `Job ${job.id}`, (context) => jobPage(context, job));
  });

  routes.get("/tasks", (c) => {
    const catalog = options.jobs.catalog;
    const tasks = [...catalog.names()]
      .sort()
      .map((name) => catalog.get(name)!)
      .filter((task) => !task.file && task.name !== ENVIRONMENT);
    return render(c, "Tasks", async (context) => {
      return tasksPage(context, tasks, pausedNames(await store.pauses(), "task"));
    });
  });

  routes.post("/tasks/:task/:action", async (c) => {
    const task = options.jobs.catalog.get(c.req.param("task"));
    const action = c.req.param("action");
    if (!task || !["pause", "resume"].includes(action)) return c.text("Not found\n", 404);
    const notice = await togglePause(store, "task", task.name, action === "pause");
    return c.redirect(`${prefix}/tasks?${new URLSearchParams({ notice }).toString()}`, 303);
  });

  routes.post("/tasks/enqueue", async (c) => {
    const form = await c.req.parseBody();
    const task = options.jobs.catalog.get(String(form.task ?? ""));
    if (!task) return c.text("Unknown task\n", 400);
    const args: string[] = [];
    for (const name of task.args.names) {
      const value = String(form[`arg:${name}`] ?? "");
      if (isRestArg(name))
        args.push(
          ...value
            .split(",")
            .map((part) => part.trim())
            .filter((part) => part !== ""),
        );
      else args.push(value);
    }
    // Trailing empty args are left out, as on the command line (`t[a]` for a task of [a,b]).
    while (args.length > 0 && args.at(-1) === "") args.pop();
    try {
      const job = await options.jobs.enqueue(task.name, { args });
      return c.redirect(`${prefix}/jobs/${job.id}?${new URLSearchParams({ notice: `Enqueued job ${job.id}` }).toString()}`, 303);
    } catch (error) {
      if (error instanceof EnqueueError)
        return c.redirect(`${prefix}/tasks?${new URLSearchParams({ notice: error.message }).toString()}`, 303);
      throw error;
    }
  });

  routes.post("/jobs/bulk", async (c) => {
    const form = await c.req.parseBody();
    const action = ACTIONS.find((known) => known === form.action);
    if (!action) return c.text("Unknown action\n", 400);
    const filter = filterOf((name) => (typeof form[name] === "string" ? (form[name] as string) : undefined));
    const count = await everyMatching(store, filter, action);
    const back = new URLSearchParams(
      Object.entries(form).filter(([name, value]) => ["state", "queue", "task", "q"].includes(name) && typeof value === "string") as [
        string,
        string,
      ][],
    );
    back.set("notice", `${DONE[action]} ${count} job${count === 1 ? "" : "s"}`);
    return c.redirect(`${prefix}/jobs?${back.toString()}`, 303);
  });

  routes.post("/jobs/:id/:action", async (c) => {
    const id = Number(c.req.param("id"));
    const action = ACTIONS.find((known) => known === c.req.param("action"));
    if (!action || !Number.isInteger(id) || id < 1) return c.text("Not found\n", 404);
    const done = await act(store, action, [id]);
    const notice =
      done.length === 1
        ? `${DONE[action]} job ${id}`
        : `Job ${id} could not be ${DONE[action].toLowerCase()} (its state does not allow it)`;
    // A discarded job is gone: back to the list.
    const to = action === "discard" && done.length === 1 ? `${prefix}/jobs` : `${prefix}/jobs/${id}`;
    return c.redirect(`${to}?${new URLSearchParams({ notice }).toString()}`, 303);
  });

  if (routes !== app) app.route(prefix, routes);
  app.notFound((c) => c.text("Not found\n", 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    // The details (a store's error can name its host and database) go to the server's log, not the page.
    console.error(`jt dashboard: ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.text("jt dashboard: internal error (the server's log has the details)\n", 500);
  });

  const fetch = async (request: Request) => app.fetch(request);
  return { fetch, metrics: () => metrics.scrape(), handle: getRequestListener(fetch), close: () => store.close() };
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** A filter from the query string or a form: state, queue, task, and `q` for text in args or errors. */
function filterOf(read: (name: string) => string | undefined): JobFilter {
  const state = STATES.find((known) => known === read("state"));
  const text = (name: string) => {
    const value = read(name)?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  return { states: state ? [state as JobState] : undefined, queue: text("queue"), task: text("task"), text: text("q") };
}

function act(store: JobStore, action: Action, ids: readonly number[]): Promise<number[]> {
  if (action === "retry") return store.retry(ids);
  if (action === "discard") return store.discard(ids);
  return store.cancel(ids);
}

/** Applies the action to every job the filter matches, a batch at a time; returns how many it changed. */
async function everyMatching(store: JobStore, filter: JobFilter, action: Action): Promise<number> {
  let changed = 0;
  let beforeId: number | undefined;
  for (;;) {
    const page = await store.list({ ...filter, limit: BATCH, beforeId });
    if (page.length === 0) return changed;
    changed += (
      await act(
        store,
        action,
        page.map((job) => job.id),
      )
    ).length;
    beforeId = page.at(-1)!.id;
  }
}
