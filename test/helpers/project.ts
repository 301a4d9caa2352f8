/**
 * A throwaway jt project on disk: write files, run the real bin/jt.js in it, get
 * `{ stdout, stderr, code }` back. One per test; removed afterwards.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, onTestFinished } from "vitest";
import { childEnv } from "./env.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const JT_BIN = join(REPO_ROOT, "bin/jt.js");

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  /** Working directory, relative to the project root. */
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** The jt launcher to run (default: this repository's bin/jt.js). */
  bin?: string;
}

export class TestProject {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Writes a file (creating directories); returns this for chaining. */
  file(path: string, content: string): this {
    const full = join(this.root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return this;
  }

  dir(path: string): this {
    mkdirSync(join(this.root, path), { recursive: true });
    return this;
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Makes `jobs-and-tasks` resolvable from node_modules: a symlink to this repo, or a separate copy of it. */
  installJt(how: "link" | "copy" = "link"): this {
    const target = join(this.root, "node_modules/jobs-and-tasks");
    mkdirSync(dirname(target), { recursive: true });
    if (how === "link") {
      symlinkSync(REPO_ROOT, target, "dir");
    } else {
      mkdirSync(target);
      cpSync(join(REPO_ROOT, "package.json"), join(target, "package.json"));
      cpSync(join(REPO_ROOT, "dist"), join(target, "dist"), { recursive: true });
    }
    return this;
  }

  run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return runJt(args, { ...options, cwd: join(this.root, options.cwd ?? ".") });
  }
}

/**
 * A new project directory, removed when the test finishes. In `describe.concurrent` blocks pass
 * the test's context (`test("…", async ({ onTestFinished }) => project(files, { onTestFinished }))`):
 * vitest's global `onTestFinished` would attach to whichever test started last.
 */
export function project(
  files: Record<string, string> = {},
  context: { onTestFinished: (fn: () => void) => void } = { onTestFinished },
): TestProject {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "jt-test-")));
  context.onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return withFiles(new TestProject(root), files);
}

/**
 * A project written now (at collection time) and removed after the enclosing describe block,
 * shared by its tests, which must only run jt in it (never write to it).
 */
export function sharedProject(files: Record<string, string>): TestProject {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "jt-test-")));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return withFiles(new TestProject(root), files);
}

function withFiles(p: TestProject, files: Record<string, string>): TestProject {
  for (const [path, content] of Object.entries(files)) p.file(path, content);
  return p;
}

export function runJt(args: readonly string[], options: RunOptions & { cwd: string }): Promise<RunResult> {
  const env = childEnv(options.env);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [options.bin ?? JT_BIN, ...args], { cwd: options.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ stdout, stderr, code, signal });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Dates a file `seconds` back (an hour by default, as a checkout's files are): a file written now is newer. */
export function age(path: string, seconds = 3600): void {
  const at = new Date(Date.now() - seconds * 1000);
  utimesSync(path, at, at);
}

/** A strict tsconfig.json for a test project that depends on jt (its Node types from this repository). */
export function strictTsconfig(options: { include?: string[]; skipLibCheck?: boolean } = {}): string {
  return JSON.stringify({
    compilerOptions: {
      target: "ES2023",
      lib: ["ES2023"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      skipLibCheck: options.skipLibCheck ?? true,
      typeRoots: [join(REPO_ROOT, "node_modules/@types")],
      types: ["node"],
    },
    ...(options.include ? { include: options.include } : {}),
  });
}
