/**
 * Records which environment variables code reads while it runs (task files that define tasks
 * only when FEATURE_X is set): the manifest is valid only while those values stay the same.
 *
 * Recordings that overlap (two jobs of a worker loading task files at once) share one Proxy on
 * `process.env`, put back when the last one ends; each sees every read made while it is active,
 * its own and the other's: more than it needs, so a manifest may be rebuilt needlessly, never kept
 * wrongly.
 */
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
  process.env = new Proxy(env, {
    get(target, name) {
      note(name);
      return Reflect.get(target, name);
    },
    has(target, name) {
      note(name);
      return Reflect.has(target, name);
    },
  });
}

function unwatch(): void {
  process.env = real!;
  real = undefined;
}
