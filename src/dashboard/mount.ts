/**
 * `dashboard()`: jt's web dashboard as a handler to mount in your own server, under a path prefix,
 * in both shapes servers take: fetch-style (`Request → Response`: Hono, Next.js route handlers,
 * Bun, Deno) and Node's `(req, res)` (Express, Fastify's raw handler, `http.createServer`). Nothing
 * of the dashboard (its router, its pages) loads until the first request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DashboardApp } from "./app.js";

export interface DashboardOptions {
  /** The jt project (the directory with tasks/ or a jt config); default: found from the working directory. */
  root?: string;
  /** The store, instead of the project's: a SQLite file path or a postgres:// URL. */
  store?: string;
  /** Where it is mounted, e.g. "/admin/jobs" (links and forms point under it); default "". */
  prefix?: string;
  /** Show everything, change nothing: no action buttons, and every POST is refused (403). */
  readOnly?: boolean;
  /**
   * Decides who may see it (your app's session, an admin check). A request it refuses gets 401.
   * Without it the dashboard answers every request that reaches it: mount it behind your own auth.
   */
  authorize?: (request: Request) => boolean | Promise<boolean>;
  /** Asks the browser for this user name and password (HTTP basic auth; use it over HTTPS). */
  basicAuth?: { username: string; password: string };
}

export interface Dashboard {
  /** Fetch-style: `app.all("/admin/jobs/*", (c) => jobs.fetch(c.req.raw))`, `export const GET = jobs.fetch`. */
  fetch(request: Request): Promise<Response>;
  /** Node-style: `app.use("/admin/jobs", jobs.handle)` in Express, or in `http.createServer`. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * The jobs' metrics in Prometheus's text format (also served at `<prefix>/metrics`), for a
   * route of your own: `app.get("/metrics", async (_, res) => res.type("text/plain").send(await jobs.metrics()))`.
   */
  metrics(): Promise<string>;
  /** Closes the store connection it opened. */
  close(): Promise<void>;
}

export function dashboard(options: DashboardOptions = {}): Dashboard {
  let opening: Promise<DashboardApp> | undefined;
  const opened = (): Promise<DashboardApp> => {
    opening ??= open(options).catch((error: unknown) => {
      opening = undefined; // a store that was down: the next request tries again
      throw error;
    });
    return opening;
  };
  return {
    fetch: async (request) => (await opened()).fetch(request),
    metrics: async () => (await opened()).metrics(),
    handle: (req, res) => {
      // Express hands a mounted handler the path without its mount point; the dashboard routes the whole one.
      const { originalUrl } = req as IncomingMessage & { originalUrl?: unknown };
      if (typeof originalUrl === "string") req.url = originalUrl;
      opened().then(
        (dashboardApp) => dashboardApp.handle(req, res),
        (error: unknown) => {
          res.statusCode = 500;
          res.setHeader("content-type", "text/plain; charset=utf-8");
          res.end(`jt dashboard: ${(error as Error).message}\n`);
        },
      );
    },
    close: async () => {
      if (opening !== undefined) await (await opening).close();
    },
  };
}

async function open(options: DashboardOptions): Promise<DashboardApp> {
  const [{ createDashboardApp }, { openProjectJobs }] = await Promise.all([import("./app.js"), import("../jobs/app-jobs.js")]);
  const { jobs, location } = await openProjectJobs(options);
  return createDashboardApp({
    jobs,
    location,
    prefix: options.prefix ?? "",
    readOnly: options.readOnly === true,
    authorize: options.authorize,
    basicAuth: options.basicAuth,
  });
}
