/**
 * Records which environment variables code reads while it runs (task files that define tasks
 * only when FEATURE_X is set): the manifest is valid only while those values stay the same.
 *
 * Recordings that overlap (two jobs of a worker loading task files at once) share one Proxy on
 * `process.env`, put back when the last one ends; each sees every read made while it is active,
 * its own and the other's: more than it needs, so a manifest may be rebuilt needlessly, never kept
 * wrongly.
 *
 * Reads by the tooling are not the definitions' and are left out: jt's own code, tsx and esbuild
 * (their options and colour checks, read when the first file is compiled) and Node's internals
 * (child_process copying the whole environment for esbuild's service). Recording those made a
 * manifest depend on every variable, PWD and CI included.
 */
import { fileURLToPath } from "node:url";
import { JT_OWN_DIRS } from "../package-paths.js";

export function recordingEnvReads<T>(run: () => Promise<T>): Promise<{ result: T; env: Record<string, string | null> }> {
  const read: Record<string, string | null> = {};
  if (active.size === 0) watch();
  active.add(read);
  const done = () => {
    active.delete(read);
    if (active.size === 0) unwatch();
  };
  return run().then(
    (result) => {
      done();
      return { result, env: read };
    },
    (error: unknown) => {
      done();
      throw error;
    },
  );
}

const active = new Set<Record<string, string | null>>();
let real: NodeJS.ProcessEnv | undefined;

function watch(): void {
  real = process.env;
  const env = real;
  const note = (name: string | symbol) => {
    if (typeof name !== "string") return;
    for (const read of active) if (!(name in read)) read[name] = env[name] ?? null;
  };
  const handler: ProxyHandler<NodeJS.ProcessEnv> = {
    get(target, name) {
      if (!readByTooling(handler.get!)) note(name);
      return Reflect.get(target, name);
    },
    has(target, name) {
      if (!readByTooling(handler.has!)) note(name);
      return Reflect.has(target, name);
    },
  };
  process.env = new Proxy(env, handler);
}

const TOOLING_PACKAGES = ["/node_modules/tsx/", "/node_modules/esbuild/"];

/** Whether the code that called `trap` is the tooling's: jt, tsx, esbuild or Node itself. */
function readByTooling(trap: (...args: never[]) => unknown): boolean {
  let file: string | undefined;
  try {
    file = callerFile(trap);
  } catch {
    return false; // frozen intrinsics, an odd URL: count the read, which is never wrong
  }
  if (file === undefined) return false;
  return file.startsWith("node:") || JT_OWN_DIRS.some((dir) => file.startsWith(dir)) || TOOLING_PACKAGES.some((dir) => file.includes(dir));
}

function callerFile(trap: (...args: never[]) => unknown): string | undefined {
  const { prepareStackTrace, stackTraceLimit } = Error;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, trap);
    const file = holder.stack?.[0]?.getFileName() ?? undefined;
    return file?.startsWith("file://") ? fileURLToPath(file) : file;
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function unwatch(): void {
  process.env = real!;
  real = undefined;
}
