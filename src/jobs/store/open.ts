/**
 * Which store a project's jobs live in: `jobs.store` in the config, else JT_JOBS_URL, else the SQLite
 * file db/jobs.sqlite3 in the project. A postgres:// URL selects PostgreSQL; anything else is a
 * SQLite file path (optionally written "sqlite:path"), relative to the project root.
 */
import { isAbsolute, join } from "node:path";
import { DefinitionError } from "../../errors.js";
import type { JobStore } from "./store.js";

export type StoreLocation = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export const DEFAULT_SQLITE_FILE = "db/jobs.sqlite3";

export function storeLocation(configured: string | undefined, root: string, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const value = configured ?? env.JT_JOBS_URL ?? DEFAULT_SQLITE_FILE;
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: "postgres", url: value };
  const path = value.replace(/^sqlite:(\/\/)?/, "");
  return { kind: "sqlite", file: path === ":memory:" || isAbsolute(path) ? path : join(root, path) };
}

export function describeLocation(location: StoreLocation): string {
  return location.kind === "sqlite" ? `SQLite ${location.file}` : `PostgreSQL ${location.url.replace(/\/\/[^@/]*@/, "//…@")}`;
}

/** Opens the store and brings its schema up to date. */
export async function openStore(location: StoreLocation): Promise<JobStore> {
  let store: JobStore;
  if (location.kind === "sqlite") {
    const { SqliteStore } = await import("./sqlite.js");
    store = new SqliteStore(location.file);
  } else {
    throw new DefinitionError("Jobs on PostgreSQL are not available in this version of jt", [`(configured store: ${describeLocation(location)})`]);
  }
  await store.migrate();
  return store;
}
