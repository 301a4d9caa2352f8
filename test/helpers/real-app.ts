/**
 * The small real apps in test/apps (Drizzle, TypeORM, NestJS, Knex, an npm-workspaces monorepo),
 * installed with their real libraries by `npm ci` from their own lockfiles. An install is kept in
 * the system's temporary directory, keyed on the lockfile and the Node ABI, so a second test run
 * (or the Node 24 pass of .ci/run) reuses it; npm's own cache makes a first install quick too.
 *
 * Each test gets a fresh copy of the app's source in `runs/` inside that install, so Node finds
 * the libraries by walking up to the install's node_modules, and jt (this repository, linked as
 * `jobs-and-tasks`) finds a project with cold caches of its own.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, TestProject } from "./project.js";

export const APPS_DIR = join(REPO_ROOT, "test/apps");

/** The directory holding `app`'s installed node_modules, installing it first when needed. */
export function installedApp(app: string): string {
  const source = join(APPS_DIR, app);
  const lock = readFileSync(join(source, "package-lock.json"));
  const key = createHash("sha256").update(lock).update(process.versions.modules).digest("hex").slice(0, 12);
  const dir = join(tmpdir(), "jt-test-apps", `${app}-${key}`);
  const marker = join(dir, ".installed");
  if (existsSync(marker)) {
    // The install's own copy is what a workspace's symlinks (node_modules/@mono/db) point at: keep it current.
    copySource(source, dir);
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copySource(source, dir);
  execFileSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "pipe" });
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return dir;
}

/** A fresh copy of `app`'s source inside its install, with jt linked; removed when the test finishes. */
export function realApp(app: string, onTestFinished: (fn: () => void) => void): TestProject {
  const installed = installedApp(app);
  mkdirSync(join(installed, "runs"), { recursive: true });
  const root = realpathSync(mkdtempSync(join(installed, "runs", "run-")));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  copySource(join(APPS_DIR, app), root);
  mkdirSync(join(root, "node_modules"));
  symlinkSync(REPO_ROOT, join(root, "node_modules/jobs-and-tasks"), "dir");
  return new TestProject(root);
}

function copySource(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (path) => !/[/\\](node_modules|runs)([/\\]|$)/.test(path.slice(from.length)) });
}
