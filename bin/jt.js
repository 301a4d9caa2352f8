#!/usr/bin/env node
// The launcher. `main` returns once the run and the environment's teardown are done; exiting
// explicitly means handles an app left open (a pool, a timer, a socket) never keep jt alive.

// FORCE_COLOR wins over NO_COLOR, as in Node itself. Dropping NO_COLOR before anything loads also
// spares users the warning Node 24 prints about the pair.
if (process.env.FORCE_COLOR !== undefined) delete process.env.NO_COLOR;

const { main } = await import("../dist/cli/main.js");
process.exit(await main(process.argv.slice(2)));
