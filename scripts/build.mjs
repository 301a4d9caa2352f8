// Builds dist/: type declarations with tsc, and the code bundled by esbuild into a few ES modules.
// One module per source file costs ~0.5 ms each to load on Node 20; jt's start-up is what users feel.
// The build goes to a fresh directory that replaces dist/ at the end, so a jt running meanwhile
// never sees half a build.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const next = `${root}dist.next`;
rmSync(next, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.build.json`, "--emitDeclarationOnly", "--outDir", next],
  {
    stdio: "inherit",
  },
);
await build({
  absWorkingDir: root,
  // The public API, the command line, and what runs on other threads: the ESM resolve hook (Node's
  // loader thread) and the jobs' lease heartbeat. (The listing fast path is built below, as CommonJS.)
  entryPoints: ["src/index.ts", "src/testing/index.ts", "src/cli/main.ts", "src/load/jt-resolve-hook.ts", "src/jobs/heartbeat-thread.ts"],
  outbase: "src",
  outdir: next,
  bundle: true,
  // Shared code goes into chunks, so the API that task files import is the one module instance the CLI uses.
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});
// The listing fast path (`jt -T` answered from the manifest) also as one CommonJS file: Node links an
// ES module graph noticeably slower than it loads one CommonJS script (bench/RESULTS.md), and
// this path runs on every Tab of shell completion. Its own copy of the little it needs.
await build({
  absWorkingDir: root,
  entryPoints: ["src/cli/cached-listing.ts"],
  outfile: `${next}/cli/cached-listing.cjs`,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  packages: "external",
  define: { "import.meta.url": "__jtModuleUrl" },
  banner: { js: 'const __jtModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
});
// Caches jt writes (the manifest, compiled modules) are valid for this build only.
writeFileSync(`${next}/build.json`, `${JSON.stringify({ id: randomUUID() })}\n`);

const old = `${root}dist.old`;
rmSync(old, { recursive: true, force: true });
try {
  renameSync(`${root}dist`, old);
} catch {
  // no previous build
}
renameSync(next, `${root}dist`);
rmSync(old, { recursive: true, force: true });
