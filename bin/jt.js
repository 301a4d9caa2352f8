#!/usr/bin/env node
// The launcher: `main` returns once the run and the environment's teardown are done.

// FORCE_COLOR wins over NO_COLOR, as in Node itself. Dropping NO_COLOR before anything loads also
// spares users the warning Node 24 prints about the pair.
if (process.env.FORCE_COLOR !== undefined) delete process.env.NO_COLOR;

// Pipes are asynchronous in Node on POSIX: whatever is still queued when the process exits (a
// listing, a task's output, the worker log, all read by a slower `less`, `jq` or log drain) is lost.
// Blocking writes, as TTYs and files already have, make every exit path lossless, process.exit()
// in a task included, without waiting for handles the app left open.
for (const stream of [process.stdout, process.stderr]) stream._handle?.setBlocking?.(true);

// Node 22+ can keep compiled code between runs; jt starts noticeably faster with it.
const { default: nodeModule } = await import("node:module");
nodeModule.enableCompileCache?.();

// JTOPT holds default options, put before the command line's own, as RAKEOPT does for Rake.
const argv = [...(process.env.JTOPT ?? "").split(/\s+/).filter(Boolean), ...process.argv.slice(2)];
// A listing can usually be answered from the cached manifest, without loading the rest of jt.
if (argv.some((word) => /^(-[TDPW]|--(tasks|describe|prereqs|where|complete-tasks)(=|$))/.test(word))) {
  // As one CommonJS file: loading it costs less than linking the ES modules (scripts/build.mjs).
  const { cachedListing } = nodeModule.createRequire(import.meta.url)("../dist/cli/cached-listing.cjs");
  const code = cachedListing(argv);
  if (code !== undefined) process.exit(code);
}
const { main } = await import("../dist/cli/main.js");
process.exitCode = await main(argv);
// Exit as soon as pending writes (tsx's compile cache) are done, and at the latest a moment later
// even if the app left handles open (a pool, a timer, a socket): jt never hangs after a run.
setTimeout(() => process.exit(), 100).unref();
