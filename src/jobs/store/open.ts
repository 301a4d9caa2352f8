/**
 * Which store a project's jobs live in: `jobs.store` in the config, else JT_JOBS_URL, else
 * DATABASE_URL when it is a postgres:// URL, else the SQLite file db/jobs.sqlite3 in the project. A postgres:// URL selects PostgreSQL; anything else is a
 * SQLite file path (optionally written "sqlite:path"), relative to the project root.
 */
import { isAbsolute, join } from "node:path";
import { ExitCode, JtError } from "../../errors.js";
import type { JobStore } from "./store.js";

/** The store could not be reached or migrated (a server down, a bad URL, a locked file). */
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
  let store: JobStore;
  if (location.kind === "sqlite") {
    const { SqliteStore } = await import("./sqlite.js");
    store = new SqliteStore(location.file);
  } else {
    const { PostgresStore } = await import("./postgres.js");
    store = new PostgresStore(location.url, { poolSize: options.connections });
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => {});
    throw new StoreUnavailable(`Cannot open the job store (${describeLocation(location)}): ${(error as Error).message}`, [], { cause: error });
  }
  return store;
}
