/**
 * Which store a project's jobs live in: `jobs.store` in the config, else JT_JOBS_URL, else
 * DATABASE_URL when it is a postgres:// URL, else the SQLite file db/jobs.sqlite3 in the project. A postgres:// URL selects PostgreSQL; anything else is a
 * SQLite file path (optionally written "sqlite:path"), relative to the project root.
 */
import { isAbsolute, join } from "node:path";
import { ExitCode, JtError } from "../../errors.js";
import type { JobStore } from "./store.js";

/** The store could not be reached or migrated (a server down, a bad URL, a locked file): what, where, and the likely fix. */
export class StoreUnavailable extends JtError {
  readonly exitCode = ExitCode.taskFailed;
}

export type StoreLocation = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export const DEFAULT_SQLITE_FILE = "db/jobs.sqlite3";
const POSTGRES_URL = /^postgres(ql)?:\/\//;

export function storeLocation(configured: string | undefined, root: string, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const databaseUrl = env.DATABASE_URL !== undefined && POSTGRES_URL.test(env.DATABASE_URL) ? env.DATABASE_URL : undefined;
  const value = configured ?? env.JT_JOBS_URL ?? databaseUrl ?? DEFAULT_SQLITE_FILE;
  if (POSTGRES_URL.test(value)) return { kind: "postgres", url: value };
  const path = value.replace(/^sqlite:(\/\/)?/, "");
  return { kind: "sqlite", file: path === ":memory:" || isAbsolute(path) ? path : join(root, path) };
}

export function describeLocation(location: StoreLocation): string {
  return location.kind === "sqlite" ? `SQLite ${location.file}` : `PostgreSQL ${location.url.replace(/\/\/[^@/]*@/, "//…@")}`;
}

/** Opens the store and brings its schema up to date. */
export async function openStore(location: StoreLocation, options: { connections?: number } = {}): Promise<JobStore> {
  let store: JobStore | undefined;
  try {
    if (location.kind === "sqlite") {
      const { SqliteStore } = await import("./sqlite.js");
      store = new SqliteStore(location.file);
    } else {
      const { PostgresStore } = await import("./postgres.js");
      store = new PostgresStore(location.url, { poolSize: options.connections });
    }
    await store.migrate();
  } catch (error) {
    await store?.close().catch(() => {});
    if (error instanceof JtError) throw error; // (a missing driver says what to install)
    const hint = storeHint(error, location);
    throw new StoreUnavailable(
      `Cannot open the job store (${describeLocation(location)}): ${(error as Error).message}`,
      hint ? [hint] : [],
      { cause: error },
    );
  }
  return store;
}

/** What to do about a store that does not open, from the driver's error code. */
function storeHint(error: unknown, location: StoreLocation): string | undefined {
  const code = (error as { code?: unknown }).code;
  const where = "set jobs.store in the jt config, or JT_JOBS_URL";
  if (location.kind === "sqlite") {
    switch (code) {
      case "SQLITE_CANTOPEN":
      case "EEXIST":
      case "ENOTDIR":
      case "EACCES":
      case "EROFS":
        return `Check that ${location.file}'s directory exists and this user can write to it, or ${where}, to a writable path.`;
      case "SQLITE_READONLY":
        return `The file or its directory is read-only for this user: make them writable, or ${where}, to a writable path.`;
      case "SQLITE_NOTADB":
      case "SQLITE_CORRUPT":
        return `${location.file} is not a SQLite database, or is damaged: move it away (jt creates an empty store), or ${where}, to the right file.`;
      case "SQLITE_BUSY":
        return "Another process holds a lock on it for too long: check for a stuck process using the file.";
      default:
        return undefined;
    }
  }
  switch (code) {
    case "ECONNREFUSED":
      return "Is PostgreSQL running, and listening at that host and port?";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "The host name does not resolve: check the URL's host.";
    case "ETIMEDOUT":
      return "The server did not answer in time: check the host, the port and any firewall in between.";
    case "3D000":
      return `Create the database (createdb ${new URL(location.url).pathname.slice(1) || "<name>"}) or fix the URL's database name.`;
    case "28P01":
    case "28000":
      return "The server refused the user or password in the URL.";
    case "42501":
      return "The user may not create jt's schema or tables: grant it CREATE on the database, or use a ?schema= it owns.";
    default:
      return undefined;
  }
}
