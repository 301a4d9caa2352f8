/**
 * `jt jobs:dashboard`: serves the dashboard on 127.0.0.1 (port 4000) until Ctrl-C or SIGTERM. It
 * can retry and discard production jobs, so it refuses any other address without authentication:
 * JT_DASHBOARD_TOKEN (the token opens it once, `?token=…`, kept in a cookie, or on every request,
 * `Authorization: Bearer …`) or JT_DASHBOARD_USER and JT_DASHBOARD_PASSWORD (HTTP basic auth).
 * With both, a request needs both.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { describeLocation } from "../../jobs/store/open.js";
import { integer, type VerbContext } from "./context.js";

const TOKEN_COOKIE = "jt_dashboard_token";

export async function dashboardVerb(context: VerbContext, program: Command): Promise<number> {
  const flags = program.opts<{ port?: string; host?: string; readOnly?: boolean }>();
  const port = integer(flags.port, "--port", 0)!;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, not ${port}`);
  const host = flags.host!;
  const token = process.env.JT_DASHBOARD_TOKEN || undefined;
  const username = process.env.JT_DASHBOARD_USER || undefined;
  const password = process.env.JT_DASHBOARD_PASSWORD || undefined;
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError("Set both JT_DASHBOARD_USER and JT_DASHBOARD_PASSWORD for basic auth, or neither");
  }
  const basicAuth = username !== undefined && password !== undefined ? { username, password } : undefined;
  if (!isLoopback(host) && token === undefined && basicAuth === undefined) {
    throw new UsageError(`Refusing to serve the jobs dashboard on ${host} without authentication: it can retry and discard jobs`, [
      "Set JT_DASHBOARD_TOKEN to a long random secret (open the dashboard once with ?token=<it>),",
      "or JT_DASHBOARD_USER and JT_DASHBOARD_PASSWORD for basic auth (behind HTTPS),",
      "or keep it on 127.0.0.1 (the default) and reach it through an SSH tunnel, or mount dashboard() in your app behind its own auth.",
    ]);
  }
  const { jobs } = await context.open();
  const opened = await jobs.get();
  const { createDashboardApp } = await import("../../dashboard/app.js");
  const app = createDashboardApp({
    jobs: opened,
    location: jobs.location,
    prefix: "",
    readOnly: flags.readOnly === true,
    authorize: token === undefined ? undefined : (request) => hasToken(request, token),
    basicAuth,
  });
  let bound = port;
  const server = createServer((req, res) => {
    // On a loopback address, only requests addressed to it: a page whose domain was made to resolve
    // to 127.0.0.1 (DNS rebinding) would otherwise be same-origin with the dashboard.
    if (isLoopback(host) && !loopbackHostHeaders(host, bound).has((req.headers.host ?? "").toLowerCase())) {
      res.writeHead(421, { "content-type": "text/plain; charset=utf-8" });
      res.end("Misdirected request: this dashboard answers only to its loopback address\n");
      return;
    }
    // ?token=… once: kept in a cookie, and the address bar loses it.
    const url = new URL(req.url ?? "/", "http://dashboard");
    const given = url.searchParams.get("token");
    if (token !== undefined && given !== null && same(given, token)) {
      url.searchParams.delete("token");
      res.writeHead(303, {
        // One leading slash: "//elsewhere" would send the browser to another site.
        location: `${url.pathname.replace(/^\/+/, "/")}${url.search}`,
        "set-cookie": `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end();
      return;
    }
    app.handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new UsageError(`Port ${port} on ${host} is in use: pick another with --port`) : error),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address();
  bound = typeof address === "object" && address ? address.port : port;
  const shown = host.includes(":") ? `[${host}]` : host;
  context.output.err(
    `jt: jobs dashboard on http://${shown}:${bound}/ for ${describeLocation(jobs.location)}${flags.readOnly ? ", read-only" : ""}${authNote(token !== undefined, basicAuth !== undefined)}; Ctrl-C stops it\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await app.close();
  return 0;
}

function authNote(token: boolean, basic: boolean): string {
  if (token && basic) return " (token and basic auth required)";
  if (token) return " (token required)";
  return basic ? " (basic auth required)" : "";
}

function loopbackHostHeaders(host: string, port: number): Set<string> {
  const bound = host.includes(":") ? `[${host}]` : host;
  return new Set([bound, "127.0.0.1", "localhost", "[::1]"].map((name) => `${name}:${port}`));
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hasToken(request: Request, token: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  if (bearer !== undefined) return same(bearer, token);
  const cookie = (request.headers.get("cookie") ?? "")
    .split(";")
    .map((part) => part.trim().split("="))
    .find(([name]) => name === TOKEN_COOKIE)?.[1];
  return cookie !== undefined && same(decodeURIComponent(cookie), token);
}

function same(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
