/**
 * Sees everything written to process.stdout and process.stderr (`console.*` writes there too)
 * instead of the streams, until removed. Hooks nest: each writes through the one it replaced.
 */
export type StreamName = "stdout" | "stderr";

export interface WriteHook {
  /** Writes past this hook (to the streams, or the hook installed before it). */
  raw: Record<StreamName, (text: string) => void>;
  remove(): void;
}

type Write = typeof process.stdout.write;

export function hookWrites(seen: (stream: StreamName, text: string) => void): WriteHook {
  const streams = { stdout: process.stdout, stderr: process.stderr };
  const previous = { stdout: streams.stdout.write, stderr: streams.stderr.write };
  const hooks = {} as Record<StreamName, Write>;
  for (const name of ["stdout", "stderr"] as const) {
    hooks[name] = ((chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
      const text =
        typeof chunk === "string"
          ? chunk
          : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
      seen(name, text);
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") process.nextTick(done as () => void);
      return true;
    }) as Write;
    streams[name].write = hooks[name];
  }
  return {
    raw: {
      stdout: (text) => void previous.stdout.call(streams.stdout, text),
      stderr: (text) => void previous.stderr.call(streams.stderr, text),
    },
    remove() {
      for (const name of ["stdout", "stderr"] as const) if (streams[name].write === hooks[name]) streams[name].write = previous[name];
    },
  };
}
