#!/usr/bin/env node
// Start-up benchmark: jt against the runners a Node developer would pick instead.
//
//   node bench/startup.mjs            # full run (~5-6 minutes on 2 cores); writes bench/RESULTS.md
//   node bench/startup.mjs --quick    # fewer rounds (~1.5 minutes)
//
// It generates projects with 10, 100 and 1000 described no-op tasks for each tool (in a scratch
// directory under the OS temp dir), ~10 tasks per task file, every task file loading a shared
// local module that busy-waits 50 ms when it loads (as real task files import their ORM), and
// times, in paired rounds against `node -e 0`, (a) listing the tasks and (b) running one no-op
// task. For jt it also times both right after an edit of a task file (cold) and without (warm).
// Peers are installed once into ~/.cache/jt-bench (JT_BENCH_CACHE); one that cannot be installed
// is skipped and the output says why.
//
// Options: --quick, --rounds N, --warmup N, --sizes 10,100,1000, --tools jt,rake,..., --no-write
// (print only), --keep (keep the generated projects), --retry-peers (try failed installs again).
import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import { join } from "node:path";
import {
  BASELINE,
  benchEnv,
  capture,
  firstLines,
  fmtMs,
  fmtRatio,
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

const flags = parseFlags(process.argv.slice(2), {
  quick: "boolean",
  rounds: "value",
  warmup: "value",
  sizes: "value",
  tools: "value",
  "no-write": "boolean",
  keep: "boolean",
  "retry-peers": "boolean",
});
const QUICK = Boolean(flags.quick);
const ROUNDS = Number(flags.rounds ?? (QUICK ? 3 : 16));
const WARMUP = Number(flags.warmup ?? 1);
const SIZES = (flags.sizes ?? "10,100,1000").split(",").map(Number);
const TASKS_PER_FILE = 10;
const HEAVY_MS = 50;
const CACHE_DIR = process.env.JT_BENCH_CACHE ?? join(os.homedir(), ".cache", "jt-bench");
const PEERS_DIR = join(CACHE_DIR, "peers");
const GOTASK_DIR = join(CACHE_DIR, "go-task");

const log = (line) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Peers: installed once into the cache directory; a failure skips that peer, never the run.

const NPM_PEERS = {
  jake: ["jake@^13"],
  gulp: ["gulp@^5", "gulp-cli@^3"],
  grunt: ["grunt@~1.6", "grunt-cli@^1.5"],
  just: ["rust-just@^1"],
};

function npmInstall(dir, specs, timeoutMs = 300_000) {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "package.json"))) writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...specs], {
    cwd: dir,
    encoding: "utf8",
    timeout: timeoutMs,
    env: benchEnv(),
  });
  if (result.error) return { ok: false, reason: `npm install ${specs.join(" ")}: ${result.error.message}` };
  if (result.status !== 0) {
    const lines = `${result.stderr}`.split("\n").map((l) => l.replace(/^npm (error|ERR!)\s*/, ""));
    // The thrown error's own message says most ("Error: … ENOTFOUND github.com"); else the first lines npm printed.
    const thrown = lines.filter((l) => /^\w*Error: /.test(l));
    const said = thrown.length > 0 ? thrown.join("\n") : lines.filter((l) => !/A complete log/.test(l)).join("\n");
    return { ok: false, reason: `npm install ${specs.join(" ")} failed: ${firstLines(said, 3)}` };
  }
  return { ok: true };
}

const installed = (pkg) => existsSync(join(PEERS_DIR, "node_modules", pkg, "package.json"));
const packageName = (spec) => spec.replace(/(?!^)@.*$/, "");

function binOf(pkg, name = pkg) {
  const manifest = JSON.parse(readFileSync(join(PEERS_DIR, "node_modules", pkg, "package.json"), "utf8"));
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[name];
  return join(PEERS_DIR, "node_modules", pkg, bin);
}

function which(command) {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Installs what is missing; returns { name: { ok, reason } } for the npm peers. */
function setUpNpmPeers(wanted) {
  const status = {};
  const missing = wanted.filter((tool) => !NPM_PEERS[tool].every((spec) => installed(packageName(spec))));
  if (missing.length > 0) {
    log(`installing ${missing.join(", ")} into ${PEERS_DIR} (once) …`);
    const all = npmInstall(
      PEERS_DIR,
      missing.flatMap((tool) => NPM_PEERS[tool]),
    );
    // One install for all is faster; if it fails, try each peer alone so one failure skips one peer.
    if (!all.ok) for (const tool of missing) status[tool] = npmInstall(PEERS_DIR, NPM_PEERS[tool]);
  }
  for (const tool of wanted) {
    status[tool] ??= { ok: true };
    if (status[tool].ok && !NPM_PEERS[tool].every((spec) => installed(packageName(spec)))) {
      status[tool] = { ok: false, reason: `npm install ${NPM_PEERS[tool].join(" ")} did not install it` };
    }
  }
  return status;
}

function setUpRake() {
  if (which("rake")) return { ok: true, bin: which("rake") };
  if (process.getuid?.() !== 0)
    return { ok: false, reason: "rake is not installed and installing ruby needs root (apt-get install -y ruby)" };
  log("rake is missing: apt-get install -y ruby …");
  const install = () =>
    spawnSync("apt-get", ["install", "-y", "ruby"], {
      encoding: "utf8",
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  let result = install();
  if (result.status !== 0) {
    spawnSync("apt-get", ["update"], { encoding: "utf8", timeout: 300_000 });
    result = install();
  }
  if (which("rake")) return { ok: true, bin: which("rake") };
  return { ok: false, reason: `apt-get install -y ruby failed: ${firstLines(`${result.stderr ?? ""}${result.error?.message ?? ""}`, 3)}` };
}

/**
 * go-task: a `task` binary on PATH that says it is go-task, or the npm package @go-task/cli. The
 * npm package downloads its binary from GitHub in an install script, which cannot reach GitHub on
 * this project's machines; the outcome is remembered in the cache (--retry-peers tries again).
 */
function setUpGoTask() {
  const isGoTask = (bin) => /Task version|^v?3\.\d+/m.test(capture([bin, "--version"]) ?? "");
  const onPath = which("task");
  if (onPath && isGoTask(onPath)) return { ok: true, bin: onPath };
  const local = join(GOTASK_DIR, "node_modules", ".bin", "task");
  if (existsSync(local) && isGoTask(local)) return { ok: true, bin: local };
  const remembered = join(CACHE_DIR, "go-task-install-failure.txt");
  if (existsSync(remembered) && !flags["retry-peers"]) return { ok: false, reason: readFileSync(remembered, "utf8").trim() };
  log("trying npm install @go-task/cli (once) …");
  const result = npmInstall(GOTASK_DIR, ["@go-task/cli"], 180_000);
  if (existsSync(local) && isGoTask(local)) return { ok: true, bin: local };
  const reason = result.ok
    ? "npm install @go-task/cli gave no working binary"
    : `${result.reason} (its install script downloads the binary from GitHub releases, which this machine cannot reach;` +
      " Debian 12 has no go-task package, and building it from source needs the Go module proxy, which this machine cannot reach either)";
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(remembered, `${reason}\n`);
  return { ok: false, reason };
}

// ---------------------------------------------------------------------------------------------
// Project generators. Task i of file f is named g{fff}:t{i} (g{fff}-t{i} where ':' is not a name
// character or means something else: grunt reads ':' as an argument separator).

const pad = (n) => String(n).padStart(3, "0");
const files = (size) => Math.max(1, Math.ceil(size / TASKS_PER_FILE));
const tasksIn = (size, f) => Math.min(TASKS_PER_FILE, size - f * TASKS_PER_FILE);
const description = (f, i) => `No-op task ${i} of group ${pad(f)}`;

function write(dir, rel, text) {
  const path = join(dir, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

const HEAVY_JS = `// Stands in for an ORM or SDK that takes ~${HEAVY_MS} ms to load.
const until = performance.now() + ${HEAVY_MS};
while (performance.now() < until) {}
module.exports = { loaded: true };
`;

function linkPeers(dir) {
  symlinkSync(join(PEERS_DIR, "node_modules"), join(dir, "node_modules"), "dir");
}

/**
 * Dates every generated file an hour back, as in a real checkout: a file written a moment ago is
 * one a cache cannot trust by its mtime alone (jt's manifest re-hashes files changed within the
 * last 2 s), and no user's project is that fresh when they list its tasks.
 */
function backdate(dir, when = new Date(Date.now() - 3600_000)) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) backdate(path, when);
    utimesSync(path, when, when);
  }
}

const GENERATORS = {
  jt(dir, size) {
    write(dir, "package.json", '{ "private": true, "type": "module" }\n');
    write(
      dir,
      "lib/heavy.ts",
      `// Stands in for an ORM or SDK that takes ~${HEAVY_MS} ms to load.
const until = performance.now() + ${HEAVY_MS};
while (performance.now() < until) {}
export const heavy: { loaded: boolean } = { loaded: true };
`,
    );
    for (let f = 0; f < files(size); f++) {
      const body = [];
      for (let i = 0; i < tasksIn(size, f); i++) {
        body.push(`  desc(${JSON.stringify(description(f, i))});`, `  task("t${i}", () => {});`);
      }
      write(
        dir,
        `tasks/g${pad(f)}.ts`,
        `import { desc, namespace, task } from "jobs-and-tasks";
import { heavy } from "../lib/heavy.ts";

if (!heavy.loaded) throw new Error("heavy did not load");

namespace("g${pad(f)}", () => {
${body.join("\n")}
});
`,
      );
    }
  },
  rake(dir, size) {
    write(dir, "Rakefile", "# The tasks live in rakelib/*.rake, which Rake loads itself.\n");
    write(
      dir,
      "lib/heavy.rb",
      `# Stands in for a library that takes ~${HEAVY_MS} ms to load.
until_t = Process.clock_gettime(Process::CLOCK_MONOTONIC) + ${HEAVY_MS / 1000}
nil while Process.clock_gettime(Process::CLOCK_MONOTONIC) < until_t
`,
    );
    for (let f = 0; f < files(size); f++) {
      const body = [];
      for (let i = 0; i < tasksIn(size, f); i++) body.push(`  desc ${JSON.stringify(description(f, i))}`, `  task :t${i} do`, "  end");
      write(dir, `rakelib/g${pad(f)}.rake`, `require_relative "../lib/heavy"\n\nnamespace :g${pad(f)} do\n${body.join("\n")}\nend\n`);
    }
  },
  jake(dir, size) {
    write(dir, "package.json", '{ "private": true }\n');
    write(dir, "Jakefile.js", "// The tasks live in jakelib/*.js, which Jake loads itself.\n");
    write(dir, "lib/heavy.js", HEAVY_JS);
    for (let f = 0; f < files(size); f++) {
      const body = [];
      for (let i = 0; i < tasksIn(size, f); i++) body.push(`  desc(${JSON.stringify(description(f, i))});`, `  task("t${i}", () => {});`);
      write(dir, `jakelib/g${pad(f)}.js`, `require("../lib/heavy.js");\n\nnamespace("g${pad(f)}", () => {\n${body.join("\n")}\n});\n`);
    }
  },
  gulp(dir, size) {
    write(dir, "package.json", '{ "private": true }\n');
    linkPeers(dir);
    write(dir, "lib/heavy.js", HEAVY_JS);
    write(
      dir,
      "gulpfile.js",
      `// Every module in tasks/ exports described tasks; the gulpfile re-exports them.
const { readdirSync } = require("node:fs");
const { join } = require("node:path");
for (const file of readdirSync(join(__dirname, "tasks")).sort()) Object.assign(exports, require(join(__dirname, "tasks", file)));
`,
    );
    for (let f = 0; f < files(size); f++) {
      const body = [];
      for (let i = 0; i < tasksIn(size, f); i++) {
        body.push(
          `const t${i} = (done) => done();`,
          `t${i}.description = ${JSON.stringify(description(f, i))};`,
          `exports["g${pad(f)}:t${i}"] = t${i};`,
        );
      }
      write(dir, `tasks/g${pad(f)}.js`, `require("../lib/heavy.js");\n\n${body.join("\n")}\n`);
    }
  },
  grunt(dir, size) {
    write(dir, "package.json", '{ "private": true }\n');
    linkPeers(dir);
    write(dir, "lib/heavy.js", HEAVY_JS);
    write(dir, "Gruntfile.js", 'module.exports = (grunt) => {\n  grunt.loadTasks("tasks");\n};\n');
    for (let f = 0; f < files(size); f++) {
      const body = [];
      for (let i = 0; i < tasksIn(size, f); i++)
        body.push(`  grunt.registerTask("g${pad(f)}-t${i}", ${JSON.stringify(description(f, i))}, () => {});`);
      write(dir, `tasks/g${pad(f)}.js`, `require("../lib/heavy.js");\n\nmodule.exports = (grunt) => {\n${body.join("\n")}\n};\n`);
    }
  },
  just(dir, size) {
    // One justfile: just has no module loading, so nothing stands in for the 50 ms library.
    const recipes = [];
    for (let f = 0; f < files(size); f++) {
      for (let i = 0; i < tasksIn(size, f); i++) recipes.push(`# ${description(f, i)}\ng${pad(f)}-t${i}:\n`);
    }
    write(dir, "justfile", recipes.join("\n"));
  },
  "go-task"(dir, size) {
    const tasks = [];
    for (let f = 0; f < files(size); f++) {
      for (let i = 0; i < tasksIn(size, f); i++)
        tasks.push(`  g${pad(f)}-t${i}:\n    desc: ${JSON.stringify(description(f, i))}\n    cmds: []\n`);
    }
    write(dir, "Taskfile.yml", `version: "3"\n\ntasks:\n${tasks.join("")}`);
  },
  npm(dir, size) {
    // npm scripts have no descriptions and load nothing; a script runs through sh.
    const scripts = {};
    for (let f = 0; f < files(size); f++) for (let i = 0; i < tasksIn(size, f); i++) scripts[`g${pad(f)}:t${i}`] = ":";
    write(dir, "package.json", `${JSON.stringify({ private: true, name: `npm-bench-${size}`, version: "1.0.0", scripts }, null, 2)}\n`);
  },
};

// ---------------------------------------------------------------------------------------------
// Tools: how to list, how to run one task, what the task is called.

function tools() {
  const wanted = (flags.tools ?? "jt,rake,jake,gulp,grunt,just,go-task,npm").split(",");
  const npmStatus = setUpNpmPeers(wanted.filter((t) => t in NPM_PEERS));
  const node = process.execPath;
  const list = [];
  const skipped = [];
  const add = (tool) => (tool.ok ? list.push(tool) : skipped.push(tool));
  // prefix: the argv that starts the tool; cli: how a user would type it (for the tables).
  const tool = (name, status, cli, prefix, listArgs, sep, version) =>
    add({ name, ...status, cli, sep, version, list: [...prefix, ...listArgs], listArgs, run: (t) => [...prefix, t] });
  for (const name of wanted) {
    if (name === "jt") {
      tool(name, { ok: existsSync(JT_BIN), reason: `${JT_BIN} not found` }, "jt", [node, JT_BIN], ["-T"], ":", () => jtVersion());
    } else if (name === "rake") {
      const rake = setUpRake();
      tool(
        name,
        rake,
        "rake",
        [rake.bin],
        ["-T"],
        ":",
        () => `${capture([rake.bin, "--version"])} (${capture(["ruby", "--version"])?.split(" ").slice(0, 2).join(" ")})`,
      );
    } else if (name === "jake") {
      const s = npmStatus.jake;
      const bin = s.ok ? binOf("jake") : undefined;
      tool(name, s, "jake", [node, bin], ["-T"], ":", () => capture([node, bin, "--version"]));
    } else if (name === "gulp") {
      const s = npmStatus.gulp;
      const bin = s.ok ? binOf("gulp") : undefined;
      tool(name, s, "gulp", [node, bin], ["--tasks"], ":", (cwd) => capture([node, bin, "--version"], { cwd })?.replace(/\n/g, ", "));
    } else if (name === "grunt") {
      const s = npmStatus.grunt;
      const bin = s.ok ? binOf("grunt-cli", "grunt") : undefined;
      tool(name, s, "grunt", [node, bin], ["--help"], "-", (cwd) => capture([node, bin, "--version"], { cwd })?.replace(/\n/g, ", "));
    } else if (name === "just") {
      const s = npmStatus.just;
      const modules = join(PEERS_DIR, "node_modules");
      const platformDir = s.ok
        ? readdirSync(modules).find((d) => d.startsWith("rust-just-") && existsSync(join(modules, d, "bin", "just")))
        : undefined;
      const bin = platformDir && join(modules, platformDir, "bin", "just");
      const status = { ok: Boolean(bin), reason: s.ok ? "rust-just has no binary for this platform" : s.reason };
      tool(name, status, "just", [bin], ["--list"], "-", () => capture([bin, "--version"]));
    } else if (name === "go-task") {
      const g = setUpGoTask();
      tool(name, g, "task", [g.bin], ["--list"], "-", () => capture([g.bin, "--version"]));
    } else if (name === "npm") {
      const npm = which("npm");
      tool(name, { ok: Boolean(npm), reason: "npm not on PATH" }, "npm run", [npm, "run"], [], ":", () => capture([npm, "--version"]));
    } else {
      log(`unknown tool ${name} (known: ${Object.keys(GENERATORS).join(", ")})`);
    }
  }
  return { list, skipped };
}

const NOTES = {
  jt: "TypeScript task files in tasks/*.ts, each importing lib/heavy.ts",
  rake: "Rakefile + rakelib/*.rake, each requiring lib/heavy.rb",
  jake: "Jakefile.js + jakelib/*.js, each requiring lib/heavy.js",
  gulp: "gulpfile.js re-exporting tasks/*.js, each requiring lib/heavy.js",
  grunt: "Gruntfile.js + grunt.loadTasks('tasks'), each requiring lib/heavy.js; it lists with --help",
  just: "one justfile; just has no module loading (nothing stands in for the 50 ms library); empty recipes",
  "go-task": "one Taskfile.yml; nothing to load",
  npm: "package.json scripts (`:`); no descriptions, nothing to load; a script runs through sh",
};

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const facts = machineFacts();
  const { list: toolList, skipped } = tools();
  for (const tool of skipped) log(`skipping ${tool.name}: ${tool.reason}`);

  const scratch = mkdtempSync(join(os.tmpdir(), "jt-bench-startup-"));
  let interrupted = false;
  const cleanUp = () => {
    if (!flags.keep) rmSync(scratch, { recursive: true, force: true });
  };
  process.on("SIGINT", () => {
    interrupted = true;
    cleanUp();
    process.exit(130);
  });
  try {
    log(`generating projects in ${scratch} …`);
    const commands = [];
    const versions = new Map();
    for (const tool of toolList) {
      for (const size of SIZES) {
        const dir = join(scratch, `${tool.name}-${size}`);
        mkdirSync(dir, { recursive: true });
        GENERATORS[tool.name](dir, size);
        backdate(dir);
        if (!versions.has(tool.name)) versions.set(tool.name, tool.version(dir));
        const mid = Math.floor(files(size) / 2);
        const target = `g${pad(mid)}${tool.sep}t0`;
        const last = `g${pad(files(size) - 1)}${tool.sep}t${tasksIn(size, files(size) - 1) - 1}`;
        const env = benchEnv();
        const shown = { list: [tool.cli, ...tool.listArgs].join(" "), run: `${tool.cli} ${target}` };
        commands.push({
          tool: tool.name,
          size,
          op: "list",
          variant: "warm",
          argv: tool.list,
          shown: shown.list,
          cwd: dir,
          env,
          expect: last,
        });
        commands.push({ tool: tool.name, size, op: "run", variant: "warm", argv: tool.run(target), shown: shown.run, cwd: dir, env });
        if (tool.name === "jt") {
          // Cold: the first run after an edit of the task file that defines the target (a comment
          // appended, so its size, mtime and content all change). Untimed re-warm runs follow, so
          // the next warm measurement of this project is warm again.
          const file = join(dir, "tasks", `g${pad(mid)}.ts`);
          const original = readFileSync(file, "utf8");
          let edits = 0;
          const edit = () => writeFileSync(file, `${original}// edited by the benchmark (${++edits})\n`);
          const rewarm = () => {
            timeCommand({ argv: tool.list, cwd: dir, env });
            timeCommand({ argv: tool.run(target), cwd: dir, env });
          };
          commands.push({
            tool: tool.name,
            size,
            op: "list",
            variant: "cold",
            argv: tool.list,
            shown: shown.list,
            cwd: dir,
            env,
            before: edit,
            after: rewarm,
          });
          commands.push({
            tool: tool.name,
            size,
            op: "run",
            variant: "cold",
            argv: tool.run(target),
            shown: shown.run,
            cwd: dir,
            env,
            before: edit,
            after: rewarm,
          });
        }
      }
    }

    // The floor for running a task with any Node runner: Node itself plus loading the 50 ms module,
    // which the task's own file imports (the manifest cannot skip it). Size-independent.
    const floorDir = join(scratch, "floor");
    mkdirSync(floorDir);
    writeFileSync(join(floorDir, "heavy.js"), HEAVY_JS);
    backdate(floorDir);
    commands.push({
      tool: "floor",
      size: 0,
      op: "run",
      variant: "warm",
      argv: [process.execPath, "heavy.js"],
      shown: "node heavy.js",
      cwd: floorDir,
      env: benchEnv(),
    });

    // Check once that each listing lists every task and each run succeeds (also a first warm-up).
    log("checking every command once …");
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    for (const command of commands) {
      const attempt = () => {
        command.before?.();
        try {
          return timeCommand(command);
        } finally {
          command.after?.();
        }
      };
      let result = attempt();
      // A jt being rebuilt at this moment (dist/ is replaced as a whole) fails for a few seconds: try twice more.
      for (let retry = 0; !result.ok && retry < 2; retry++) {
        sleep(5000);
        result = attempt();
      }
      if (!result.ok) {
        command.broken = result.reason;
        log(
          `  ${command.tool} ${command.op}${command.variant === "cold" ? " (cold)" : ""}, ${command.size} tasks, failed: ${result.reason}`,
        );
      } else if (command.expect && !result.stdout.includes(command.expect)) {
        command.broken = `its listing does not show ${command.expect}`;
        log(`  ${command.tool} ${command.op}, ${command.size} tasks: ${command.broken}`);
      }
    }
    const timed = commands.filter((c) => !c.broken);
    log(`timing ${timed.length} commands: ${WARMUP} warm-up round(s), then ${ROUNDS} paired rounds against ${BASELINE.label} …`);
    const started = Date.now();
    const results = pairedRounds(timed, {
      rounds: ROUNDS,
      warmup: WARMUP,
      seed: 20240501,
      cwd: scratch,
      onProgress: ({ phase, round, of }) => log(`  ${phase} ${round}/${of} (${((Date.now() - started) / 1000).toFixed(0)} s)`),
    });
    for (const c of commands.filter((c) => c.broken)) results.push({ command: c, n: 0, dropped: c.broken });
    facts.loadavgEnd = os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(" ");
    facts.seconds = ((Date.now() - started) / 1000).toFixed(0);

    const report = render(results, toolList, skipped, versions, facts);
    process.stdout.write(`\n${report.text}\n`);
    if (!flags["no-write"] && !interrupted) {
      writeResultsSection("startup", report.markdown);
      log(`\nwrote the startup section of bench/RESULTS.md`);
    }
  } finally {
    cleanUp();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function render(results, toolList, skipped, versions, facts) {
  const find = (tool, size, op, variant = "warm") =>
    results.find((r) => r.command.tool === tool && r.command.size === size && r.command.op === op && r.command.variant === variant);
  const cell = (r) => {
    if (!r) return "–";
    if (r.dropped || r.n === 0) return "failed";
    return `${fmtRatio(r.ratio)} (${fmtMs(r.medianMs)} ms)`;
  };
  const rowsFor = (op) => {
    const rows = [];
    const baselines = SIZES.map((size) => {
      const ms = results.filter((r) => r.command.size === size && r.n > 0).map((r) => r.baselineMs);
      return ms.length ? `1.00× (${fmtMs(ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)])} ms)` : "–";
    });
    rows.push(["node -e 0", ...baselines]);
    if (op === "run") {
      const floor = results.find((r) => r.command.tool === "floor");
      rows.push([`floor: node + the ${HEAVY_MS} ms module`, ...SIZES.map(() => cell(floor))]);
    }
    for (const tool of toolList) {
      if (tool.name === "jt") {
        rows.push(["jt, warm", ...SIZES.map((s) => cell(find("jt", s, op)))]);
        rows.push(["jt, cold (after an edit)", ...SIZES.map((s) => cell(find("jt", s, op, "cold")))]);
      } else rows.push([tool.name, ...SIZES.map((s) => cell(find(tool.name, s, op)))]);
    }
    for (const tool of skipped) rows.push([tool.name, ...SIZES.map(() => "not installed")]);
    return rows;
  };
  const header = ["tool", ...SIZES.map((s) => `${s} tasks`)];
  const listRows = rowsFor("list");
  const runRows = rowsFor("run");

  // The targets of issue 5.
  const targets = [];
  const round2 = (x) => Math.round(x * 100) / 100;
  const target = (what, r, limit, strict = false) => {
    if (!r || !(r.n > 0)) return targets.push([what, "not measured", "–"]);
    const met = strict ? round2(r.ratio) < limit : round2(r.ratio) <= limit;
    const by = met ? "" : ` (over by ${(r.ratio - limit).toFixed(2)}×, ~${fmtMs((r.ratio - limit) * r.baselineMs)} ms)`;
    targets.push([what, fmtRatio(r.ratio), `${met ? "met" : "missed"}${by}`]);
  };
  target("`jt -T`, 1000 tasks, warm ≤ 1.3×", find("jt", 1000, "list"), 1.3);
  const jtList = find("jt", 1000, "list");
  const nodePeers = ["rake", "jake", "gulp", "grunt", "npm"].map((t) => find(t, 1000, "list")).filter((r) => r && r.n > 0);
  if (jtList && jtList.n > 0 && nodePeers.length > 0) {
    // Compared as shown (two decimals): a difference the table cannot show is no difference.
    const slower = nodePeers.filter((r) => round2(r.ratio) <= round2(jtList.ratio)).map((r) => `${r.command.tool} ${fmtRatio(r.ratio)}`);
    targets.push([
      "`jt -T`, 1000 tasks, warm: below rake and every Node-based runner",
      `${fmtRatio(jtList.ratio)} vs ${nodePeers.map((r) => `${r.command.tool} ${fmtRatio(r.ratio)}`).join(", ")}`,
      slower.length === 0 ? "met" : `missed (not below ${slower.join(", ")})`,
    ]);
  }
  target("one no-op task, 100 .ts tasks, warm ≤ 1.6×", find("jt", 100, "run"), 1.6);
  const floor = results.find((r) => r.command.tool === "floor");
  const runPeers = ["rake", "jake"].map((t) => find(t, 100, "run")).filter((r) => r && r.n > 0);
  const jtRun = find("jt", 100, "run");
  if (jtRun && jtRun.n > 0 && runPeers.length > 0) {
    const notBelow = runPeers.filter((r) => round2(r.ratio) < round2(jtRun.ratio)).map((r) => `${r.command.tool} ${fmtRatio(r.ratio)}`);
    targets.push([
      "one no-op task, 100 .ts tasks, warm: at or below rake and jake",
      `${fmtRatio(jtRun.ratio)} vs ${runPeers.map((r) => `${r.command.tool} ${fmtRatio(r.ratio)}`).join(", ")}${floor?.n > 0 ? `; floor (node + the ${HEAVY_MS} ms module) ${fmtRatio(floor.ratio)}` : ""}`,
      notBelow.length === 0 ? "met" : `missed (above ${notBelow.join(", ")})`,
    ]);
  }
  target("one no-op task, 100 .ts tasks, cold (after an edit) < 4×", find("jt", 100, "run", "cold"), 4, true);

  const detailRows = results
    .filter((r) => r.command)
    .map((r) => [
      r.command.tool,
      r.command.size || "–",
      `${r.command.op}${r.command.variant === "cold" ? " (cold)" : ""}`,
      `\`${r.command.shown}\``,
      r.n,
      r.n > 0 ? fmtMs(r.medianMs) : "–",
      r.n > 0 ? fmtMs(r.baselineMs) : "–",
      r.n > 0 ? fmtRatio(r.ratio) : "–",
      r.n > 0 ? `${r.ratioP25.toFixed(2)}–${r.ratioP75.toFixed(2)}` : "–",
      r.dropped ? `dropped: ${r.dropped}` : r.failures ? `${r.failures} failed: ${r.lastFailure}` : "",
    ]);
  const detailHeader = ["tool", "tasks", "operation", "command", "n", "median ms", "node -e 0 ms", "ratio", "ratio p25–p75", "notes"];

  const versionRows = [["node", facts.node, "baseline: `node -e 0`"]];
  for (const tool of toolList) versionRows.push([tool.name, versions.get(tool.name) ?? "?", NOTES[tool.name]]);
  for (const tool of skipped) versionRows.push([tool.name, "not installed", tool.reason]);

  const machine = `${facts.cpuCount} × ${facts.cpuModel}, ${facts.memGiB} GiB, ${facts.platform}; load average ${facts.loadavg} at the start, ${facts.loadavgEnd} at the end`;
  const method =
    `${ROUNDS} paired rounds after ${WARMUP} warm-up round(s)${QUICK ? " (--quick)" : ""}, ${facts.seconds} s. Each round runs every command once ` +
    `in a shuffled order, each right next to a \`node -e 0\` (before or after it, at random); a ratio is the median of the ` +
    `per-round ratios, ms the median wall time (spawn to exit). Each project has ~${TASKS_PER_FILE} described no-op tasks per ` +
    `task file and every task file loads a shared local module that busy-waits ${HEAVY_MS} ms (once per process). ` +
    `The task run is the first task of the middle file. jt "cold" is the first run after appending a comment to that ` +
    `task file (untimed); jt "warm" is a run with no change since the last one. Generated files are dated an hour back, as in a checkout. ` +
    `"floor" is \`node heavy.js\`: Node loading the ${HEAVY_MS} ms module alone, the least any Node runner pays to run a task whose file imports it.`;

  const markdown = [
    "## Start-up: jt and its peers",
    "",
    `Measured ${facts.date} with \`node bench/startup.mjs${QUICK ? " --quick" : ""}\` on ${machine}.`,
    "",
    method,
    "",
    "### List the tasks (ratio to `node -e 0`, median ms)",
    "",
    markdownTable(header, listRows),
    "",
    "### Run one no-op task",
    "",
    markdownTable(header, runRows),
    "",
    "### Targets (issue 5)",
    "",
    markdownTable(["target", "measured", "status"], targets),
    "",
    "### Versions",
    "",
    markdownTable(["tool", "version", "project"], versionRows),
    "",
    "<details><summary>Every command: medians, the spread of the ratios, failures</summary>",
    "",
    markdownTable(detailHeader, detailRows),
    "",
    "</details>",
  ].join("\n");

  const text = [
    `Start-up, ${facts.date}; ${machine}`,
    method,
    "",
    "List the tasks:",
    textTable(header, listRows),
    "",
    "Run one no-op task:",
    textTable(header, runRows),
    "",
    "Targets:",
    textTable(
      ["target", "measured", "status"],
      targets.map((r) => r.map((c) => String(c).replace(/`/g, ""))),
    ),
    "",
    "Versions:",
    textTable(
      ["tool", "version", "project"],
      versionRows.map((r) => r.map((c) => String(c).replace(/`/g, ""))),
    ),
    "",
    "Every command:",
    textTable(
      detailHeader,
      detailRows.map((r) => r.map((c) => String(c).replace(/`/g, ""))),
    ),
  ].join("\n");
  return { markdown, text };
}

await main();
