/**
 * The PostgreSQL server the jobs tests run against (127.0.0.1:5432, trust auth, database `test`;
 * JT_TEST_POSTGRES_URL points elsewhere), and what those tests need from it: a fresh schema per
 * test (dropped afterwards), an admin connection of the test's own, and the server's view of who
 * is connected (to count, find and kill another process's backends).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, onTestFinished } from "vitest";

// (Not from ./project.js, which needs vitest: this module also runs in plain child processes.)
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const POSTGRES_URL = process.env.JT_TEST_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

/** A schema name no other test uses: jt_t_<random>. */
export function freshSchemaName(): string {
  return `jt_t_${randomBytes(6).toString("hex")}`;
}

/** The store URL for jt's schema `schema` (`?schema=` is jt's own parameter). */
export function storeUrl(schema: string, params: Record<string, string> = {}): string {
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", schema);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/** A client of the test's own (not jt's), connected; names itself so the test can tell its backend apart. */
export async function adminClient(applicationName = "jt-test-admin"): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, application_name: applicationName });
  // A backend killed by a test (on purpose, or a stray pg_terminate_backend) must not crash the run.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_URL.replace(/\/\/[^@/]*@/, "//…@")} (${(error as Error).message}); ` +
        "start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set JT_TEST_POSTGRES_URL",
      { cause: error },
    );
  }
  return client;
}

export async function dropSchema(client: pg.Client, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

export interface Backend {
  pid: number;
  applicationName: string;
  query: string;
  state: string | null;
}

/** The client backends of this database, but for `client`'s own (the test's connection). */
export async function backends(client: pg.Client, where: { applicationName?: string } = {}): Promise<Backend[]> {
  const params: unknown[] = [];
  let filter = "";
  if (where.applicationName !== undefined) filter = `AND application_name = $${params.push(where.applicationName)}`;
  const { rows } = await client.query<{ pid: number; application_name: string; query: string; state: string | null }>(
    `SELECT pid, application_name, query, state FROM pg_stat_activity
     WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() ${filter}
     ORDER BY pid`,
    params,
  );
  return rows.map((r) => ({ pid: r.pid, applicationName: r.application_name, query: r.query, state: r.state }));
}

/** Terminates these backends; returns the pids PostgreSQL signalled. */
export async function terminate(client: pg.Client, pids: readonly number[]): Promise<number[]> {
  if (pids.length === 0) return [];
  const { rows } = await client.query<{ pid: number; ok: boolean }>(
    "SELECT pid, pg_terminate_backend(pid) AS ok FROM unnest($1::int[]) AS pid",
    [pids],
  );
  return rows.filter((r) => r.ok).map((r) => r.pid);
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Terminates every backend named `applicationName` from a separate process, and waits there until
 * the server shows none left. While it runs, this process does not read its sockets (as a process
 * busy with CPU-bound work would not), so its pools learn of the drop only when they next use those
 * connections. Returns how many backends were terminated.
 */
export function terminateBlocking(applicationName: string): number {
  const script = `
    import pg from "pg";
    const client = new pg.Client({ connectionString: ${JSON.stringify(POSTGRES_URL)} });
    await client.connect();
    const name = ${JSON.stringify(applicationName)};
    const { rows } = await client.query("SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1", [name]);
    for (;;) {
      const { rows: left } = await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [name]);
      if (left.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.end();
    console.log(rows[0].n);
  `;
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 15_000,
  });
  return Number(output.trim());
}

/**
 * For a test file that runs each scenario on both stores (`describe.each(Object.keys(stores))`):
 * what a test's jt processes need in their environment to use each, called inside the test. The
 * PostgreSQL one gets a fresh schema, dropped when the test ends (an admin connection is opened
 * for the file, and closed after it).
 */
export function eachStore(): Record<string, () => Record<string, string>> {
  let admin: pg.Client | undefined;
  beforeAll(async () => {
    admin = await adminClient();
  });
  afterAll(async () => {
    await admin?.end();
  });
  return {
    SQLite: () => ({}),
    PostgreSQL: () => {
      const schema = freshSchemaName();
      onTestFinished(() => dropSchema(admin!, schema));
      return { JT_JOBS_URL: storeUrl(schema) };
    },
  };
}
