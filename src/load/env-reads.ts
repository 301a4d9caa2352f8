/**
 * Records which environment variables code reads while it runs (task files that define tasks
 * only when FEATURE_X is set): the manifest is valid only while those values stay the same.
 */
export function recordingEnvReads<T>(run: () => Promise<T>): Promise<{ result: T; env: Record<string, string | null> }> {
  // Loads that overlap (two jobs of a worker loading task files at once) share one watch: a
  // second Proxy around the first would never be unwound in the right order.
  if (recording) return run().then((result) => ({ result, env: {} }));
  recording = true;
  const real = process.env;
  const read: Record<string, string | null> = {};
  const note = (name: string | symbol) => {
    if (typeof name === "string" && !(name in read)) read[name] = real[name] ?? null;
  };
  process.env = new Proxy(real, {
    get(target, name) {
      note(name);
      return Reflect.get(target, name);
    },
    has(target, name) {
      note(name);
      return Reflect.has(target, name);
    },
  });
  const restore = () => {
    process.env = real;
    recording = false;
  };
  return run().then(
    (result) => (restore(), { result, env: read }),
    (error: unknown) => {
      restore();
      throw error;
    },
  );
}

let recording = false;
