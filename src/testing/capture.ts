/**
 * What a task prints while a test runs it: `console.*` and writes to process.stdout / stderr,
 * collected instead of shown. Test runners replace `console` with their own (vitest does), so
 * both are captured: the console's methods and the streams' `write`.
 */
import { format } from "node:util";

export interface Captured {
  stdout: string;
  stderr: string;
}

type Stream = "stdout" | "stderr";

const CONSOLE_STREAMS: Record<string, Stream> = {
  log: "stdout",
  info: "stdout",
  debug: "stdout",
  dir: "stdout",
  table: "stdout",
  warn: "stderr",
  error: "stderr",
  trace: "stderr",
};

/** Runs `body` with the output captured; `write` also takes what jt's own parts print (sh, trace lines). */
export async function captureOutput<T>(
  body: (write: (stream: Stream, text: string) => void) => Promise<T>,
): Promise<{ value: T } & Captured> {
  const captured: Captured = { stdout: "", stderr: "" };
  const write = (stream: Stream, text: string) => {
    captured[stream] += text;
  };
  const consoleRecord = console as unknown as Record<string, unknown>;
  const savedConsole = Object.keys(CONSOLE_STREAMS).map((method) => [method, consoleRecord[method]] as const);
  for (const [method, stream] of Object.entries(CONSOLE_STREAMS)) {
    consoleRecord[method] = (...values: unknown[]) => write(stream, `${format(...values)}\n`);
  }
  const savedWrites = (["stdout", "stderr"] as const).map((stream) => [stream, process[stream].write] as const);
  for (const stream of ["stdout", "stderr"] as const) {
    process[stream].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      write(stream, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  }
  try {
    const value = await body(write);
    return { value, ...captured };
  } finally {
    for (const [method, saved] of savedConsole) consoleRecord[method] = saved;
    for (const [stream, saved] of savedWrites) process[stream].write = saved;
  }
}
