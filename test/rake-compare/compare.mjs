#!/usr/bin/env node
// jt against real rake, side by side: each scenario is a Rakefile and the task file that means the
// same to jt, run with the same command line by both; their stdout, stderr and exit status are
// compared after the spelling differences are normalised ("rake" → "jt", a location line →
// <location>, since Rake prints `Rakefile:3:in ...` and jt `file:line:col`). Differences jt keeps on
// purpose (its exit code 2 for a bad command line, where Rake exits 1) are listed as such.
//
//   node test/rake-compare/compare.mjs [--only name,name] [--verbose]   (JT_BIN=… compares another jt)
//
// Needs rake (Debian: apt-get install -y rake) and a built jt (npm run build). Exits 1 when a
// scenario differs in a way not listed as deliberate. Issue 13 ("Rake fidelity, round two").
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SCENARIOS } from "./scenarios.mjs";

const JT = process.env.JT_BIN ?? join(dirname(dirname(dirname(fileURLToPath(import.meta.url)))), "bin", "jt.js");
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1].split(",") : undefined;
const verbose = args.includes("--verbose");

if (spawnSync("rake", ["--version"], { encoding: "utf8" }).status !== 0) {
  console.error("rake is not installed (apt-get install -y rake)");
  process.exit(2);
}

const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, RAKEOPT: undefined, JTOPT: undefined };
delete env.FORCE_COLOR;

/** What both print, in one spelling. */
function normalise(text, root) {
  return text
    .replaceAll(root, "<root>")
    .replace(/\brake aborted!/g, "jt aborted!")
    .replace(/`rake --tasks`/g, "`jt --tasks`")
    .replace(/^rake /gm, "jt ")
    .replace(/^(<root>\/\S+?):\d+(:\d+|:in .*)$/gm, "<location>")
    .replace(/ +<root>\/\S+?:\d+(?::\d+|:in .*)?$/gm, " <location>")
    .replace(/^\(in <root>\)\n/gm, "");
}

function run(command, argv, cwd) {
  const result = spawnSync(command[0], [...command.slice(1), ...argv], { cwd, env, encoding: "utf8", timeout: 30_000 });
  return { status: result.status, stdout: normalise(result.stdout, cwd), stderr: normalise(result.stderr, cwd) };
}

let unexpected = 0;
const rows = [];
for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.name)) continue;
  // Each tool in a directory of its own: what one builds must not be up to date for the other.
  const roots = [mkdtempSync(join(tmpdir(), "jt-rake-compare-")), mkdtempSync(join(tmpdir(), "jt-rake-compare-"))];
  try {
    for (const root of roots) {
      writeFileSync(join(root, "Rakefile"), scenario.rakefile);
      mkdirSync(join(root, "tasks"));
      writeFileSync(join(root, "tasks", "compare.ts"), scenario.tasks);
      writeFileSync(join(root, "package.json"), '{ "private": true, "type": "module" }\n');
      // Files the scenario starts with, each `age` seconds old (an hour by default).
      for (const [name, { content, age = 3600 }] of Object.entries(scenario.files ?? {})) {
        mkdirSync(dirname(join(root, name)), { recursive: true });
        writeFileSync(join(root, name), content);
        const at = new Date(Date.now() - age * 1000);
        utimesSync(join(root, name), at, at);
      }
    }
    const rake = run(["rake"], scenario.argv, roots[0]);
    const jt = run([process.execPath, JT], scenario.argv, roots[1]);
    const differs = ["status", "stdout", "stderr"].filter((key) => rake[key] !== jt[key]);
    const allowed = scenario.deliberate ?? {};
    const unexplained = differs.filter((key) => !(key in allowed && allowed[key](rake[key], jt[key])));
    if (unexplained.length > 0) unexpected += 1;
    rows.push([
      scenario.name,
      differs.length === 0
        ? "same"
        : unexplained.length === 0
          ? `same but ${differs.join(", ")} (deliberate: ${scenario.why})`
          : `DIFFERS: ${unexplained.join(", ")}`,
    ]);
    if (unexplained.length > 0 || verbose) {
      console.log(`--- ${scenario.name}: ${scenario.argv.join(" ")}`);
      for (const key of ["status", "stdout", "stderr"]) {
        if (rake[key] === jt[key] && !verbose) continue;
        console.log(`rake ${key}: ${JSON.stringify(rake[key])}\njt   ${key}: ${JSON.stringify(jt[key])}`);
      }
    }
  } finally {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  }
}
const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, verdict] of rows) console.log(`${name.padEnd(width)}  ${verdict}`);
console.log(`${rows.length} scenarios, ${unexpected} with unexplained differences`);
process.exit(unexpected === 0 ? 0 : 1);
