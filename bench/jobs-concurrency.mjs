#!/usr/bin/env node
// Wall time of a multitask over four tasks that each sleep 500 ms, with -j 4 and -j 1.
//
//   node bench/jobs-concurrency.mjs [--quick] [--rounds N] [--no-write]
//
// Generates a project (in the OS temp dir) with tasks s1..s4 (each sleeps 500 ms), a multitask
// `par` over them, a plain task `seq` over them (for `-m`), and a no-op task for the start-up
// alone; times `jt -j 4 par`, `jt -j 1 par`, `jt par` (default -j), `jt -m -j 4 seq` and
// `jt noop` in paired rounds against `node -e 0`. Target (issue 5): `-j 4` over four 500 ms tasks
// ≈ 0.5 s wall plus start-up. A jt without multitask or -j still runs: the table says what failed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import {
  benchEnv,
  fmtMs,
  JT_BIN,
  jtVersion,
  machineFacts,
  markdownTable,
  pairedRounds,
  parseFlags,
  textTable,
  timeCommand,
  writeResultsSection,
} from "./lib/common.mjs";

const flags = parseFlags(process.argv.slice(2), { quick: "boolean", rounds: "value", "no-write": "boolean" });
const QUICK = Boolean(flags.quick);
const ROUNDS = Number(flags.rounds ?? (QUICK ? 2 : 6));
const SLEEP_MS = 500;
const TOLERANCE_MS = 100; // "≈ 0.5 s": at most this much over 500 ms beyond the start-up

const scratch = mkdtempSync(join(os.tmpdir(), "jt-bench-jobs-"));
const cleanUp = () => rmSync(scratch, { recursive: true, force: true });
process.on("SIGINT", () => {
  cleanUp();
  process.exit(130);
});

try {
  writeFileSync(join(scratch, "package.json"), '{ "private": true, "type": "module" }\n');
  mkdirSync(join(scratch, "tasks"));
  writeFileSync(
    join(scratch, "tasks", "jobs.ts"),
    `import { desc, multitask, task } from "jt";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

for (const n of [1, 2, 3, 4]) {
  desc(\`Sleep ${SLEEP_MS} ms (\${n})\`);
  task(\`s\${n}\`, () => sleep(${SLEEP_MS}));
}

desc("The four sleeps, concurrently (a multitask)");
multitask("par", ["s1", "s2", "s3", "s4"]);

desc("The four sleeps, as plain prerequisites (concurrent only under -m)");
task("seq", ["s1", "s2", "s3", "s4"]);

desc("Nothing: start-up alone");
task("noop", () => {});
`,
  );

  const env = benchEnv();
  const jt = (...args) => ({ argv: [process.execPath, JT_BIN, ...args], cwd: scratch, env, shown: `jt ${args.join(" ")}` });
  const commands = [
    { ...jt("noop"), key: "noop", expected: "start-up alone" },
    { ...jt("-j", "4", "par"), key: "j4", expected: `≈ ${SLEEP_MS} ms + start-up` },
    { ...jt("-j", "1", "par"), key: "j1", expected: `≈ ${4 * SLEEP_MS} ms + start-up` },
    { ...jt("par"), key: "default", expected: `≈ ${SLEEP_MS} ms + start-up (default -j: cores + 4, as Rake)` },
    { ...jt("-m", "-j", "4", "seq"), key: "m", expected: `≈ ${SLEEP_MS} ms + start-up` },
  ];
  // Untimed first runs: they warm jt's caches and show what works.
  for (const command of commands) {
    const first = timeCommand(command);
    if (!first.ok) command.broken = first.reason;
  }
  const facts = machineFacts();
  const timed = commands.filter((c) => !c.broken);
  process.stderr.write(`timing ${timed.length} commands, ${ROUNDS} paired rounds …\n`);
  const results = pairedRounds(timed, { rounds: ROUNDS, warmup: 0, seed: 7, cwd: scratch });
  for (const c of commands.filter((c) => c.broken)) results.push({ command: c, n: 0, dropped: c.broken });
  facts.loadavgEnd = os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" ");

  const byKey = (key) => results.find((r) => r.command.key === key);
  const startup = byKey("noop");
  const startupMs = startup?.n > 0 ? startup.medianMs : undefined;
  const header = ["command", "expected", "n", "median wall ms", "minus `jt noop`", "notes"];
  const rows = commands.map((c) => {
    const r = results.find((x) => x.command === c);
    const ok = r.n > 0;
    return [
      `\`${c.shown}\``,
      c.expected,
      r.n,
      ok ? fmtMs(r.medianMs) : "–",
      ok && startupMs !== undefined && c.key !== "noop" ? fmtMs(r.medianMs - startupMs) : "–",
      r.dropped ? `failed: ${r.dropped}` : r.failures ? `${r.failures} failed: ${r.lastFailure}` : "",
    ];
  });

  const j4 = byKey("j4");
  const j1 = byKey("j1");
  let verdict;
  if (!(j4?.n > 0) || startupMs === undefined) {
    verdict = `\`-j 4\` over four ${SLEEP_MS} ms tasks ≈ ${SLEEP_MS} ms + start-up: not measured (${j4?.dropped ?? startup?.dropped ?? "failed"})`;
  } else {
    const over = j4.medianMs - startupMs;
    const met = over <= SLEEP_MS + TOLERANCE_MS;
    verdict = `\`-j 4\` over four ${SLEEP_MS} ms tasks ≈ ${SLEEP_MS} ms + start-up: ${fmtMs(over)} ms beyond \`jt noop\` (${fmtMs(startupMs)} ms), ${met ? "met" : `missed (${fmtMs(over - SLEEP_MS)} ms over ${SLEEP_MS} ms)`}`;
    if (j1?.n > 0) {
      const serial = j1.medianMs - startupMs;
      verdict += `; \`-j 1\` takes ${fmtMs(serial)} ms beyond start-up (${serial >= 4 * SLEEP_MS - TOLERANCE_MS ? "the cap holds: one at a time" : "faster than one at a time: -j 1 is not honoured"})`;
    }
  }

  const machine = `${facts.cpuCount} × ${facts.cpuModel}; load average ${facts.loadavg} at the start, ${facts.loadavgEnd} at the end`;
  const method = `${ROUNDS} paired rounds against \`node -e 0\` after one untimed run of each command; wall time, spawn to exit, median. jt ${jtVersion()}.`;
  const markdown = [
    "## -j: a multitask over four 500 ms tasks",
    "",
    `Measured ${facts.date} with \`node bench/jobs-concurrency.mjs${QUICK ? " --quick" : ""}\` on ${machine}.`,
    "",
    method,
    "",
    markdownTable(header, rows),
    "",
    `- Target (issue 5): ${verdict}.`,
  ].join("\n");
  const plain = (rowsIn) => rowsIn.map((r) => r.map((c) => String(c).replace(/`/g, "")));
  process.stdout.write(
    `${[
      `-j, ${facts.date}; ${machine}`,
      method.replace(/`/g, ""),
      "",
      textTable(
        header.map((h) => h.replace(/`/g, "")),
        plain(rows),
      ),
      "",
      verdict.replace(/`/g, ""),
    ].join("\n")}\n`,
  );
  if (!flags["no-write"]) {
    writeResultsSection("jobs", markdown);
    process.stderr.write("wrote the jobs section of bench/RESULTS.md\n");
  }
} finally {
  cleanUp();
}
