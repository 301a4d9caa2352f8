// Helpers shared by the bench/ scripts: statistics, timing whole commands, machine facts and
// the marked sections of bench/RESULTS.md. Plain Node ESM, no dependencies.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = dirname(BENCH_DIR);
export const RESULTS_FILE = join(BENCH_DIR, "RESULTS.md");
export const JT_BIN = process.env.JT_BIN ?? join(REPO_DIR, "bin", "jt.js");

// ---------------------------------------------------------------------------------------------
// Statistics

export function quantile(values, q) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export const median = (values) => quantile(values, 0.5);

/** A deterministic PRNG (mulberry32): the same seed gives the same projects, graphs and orders. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle(items, random) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timing whole commands

/** The environment the timed commands get: no inherited Node flags, no colour, no update checks. */
export function benchEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of ["NODE_OPTIONS", "FORCE_COLOR", "NODE_V8_COVERAGE", "TSX_TSCONFIG_PATH", "JT_LOADER"]) delete env[name];
  return {
    ...env,
    NO_COLOR: "1",
    NO_UPDATE_NOTIFIER: "1",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    ...extra,
  };
}

/**
 * Runs one command to completion and returns its wall time in milliseconds (spawn to exit, as a
 * user waits for it), its exit status and the start of its stderr.
 */
export function timeCommand({ argv, cwd, env, timeoutMs = 120_000 }) {
  const started = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env: env ?? benchEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const ok = !result.error && result.status === 0;
  const reason = result.error
    ? String(result.error.message ?? result.error)
    : result.status !== 0
      ? `exit ${result.status ?? result.signal}: ${failureLines(String(result.stderr || result.stdout))}`
      : "";
  return { ms, ok, status: result.status, reason, stdout: String(result.stdout ?? "") };
}

/** What a failed command said: its error line (and the next) if it printed one, else its first lines. */
function failureLines(text) {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const at = lines.findIndex((l) => /^\w*Error\b|\bError \[|\baborted\b|\bERR_[A-Z_]+\b.*:/.test(l));
  return at === -1
    ? firstLines(text, 3)
    : lines
        .slice(at, at + 2)
        .join(" / ")
        .slice(0, 300);
}

export function firstLines(text, n) {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, n)
    .join(" / ")
    .slice(0, 300);
}

/** Runs a command for its output (versions and the like); undefined when it cannot run. */
export function capture(argv, options = {}) {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout: 30_000, env: benchEnv(), ...options });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}`.trim() || `${result.stderr}`.trim();
}

export const BASELINE = { label: "node -e 0", argv: [process.execPath, "-e", "0"] };

/**
 * Paired rounds. Each round visits every command once, in a shuffled order, and runs `node -e 0`
 * right before or right after it (the side chosen at random): the ratio of each pair is taken in
 * the same moment of a noisy, shared machine, and the reported ratio is the median of the ratios
 * of the rounds. `before`/`after` hooks run untimed (an edit before a cold run, a re-warm after).
 * A command that fails during warm-up is dropped with its reason; one that fails later keeps its
 * successful rounds and counts its failures.
 */
export function pairedRounds(commands, { rounds, warmup, seed = 1, onProgress = () => {}, cwd = process.cwd() }) {
  const random = rng(seed);
  const state = new Map(commands.map((c) => [c, { ms: [], baseline: [], ratio: [], failures: 0, dropped: undefined }]));
  const baseline = { ...BASELINE, cwd, env: benchEnv() };
  const runOne = (command) => {
    command.before?.();
    try {
      return timeCommand(command);
    } finally {
      command.after?.();
    }
  };
  for (let w = 0; w < warmup; w++) {
    timeCommand(baseline);
    for (const command of commands) {
      const s = state.get(command);
      if (s.dropped) continue;
      const result = runOne(command);
      if (!result.ok) s.dropped = result.reason || "failed";
    }
    onProgress({ phase: "warmup", round: w + 1, of: warmup });
  }
  for (let r = 0; r < rounds; r++) {
    for (const command of shuffle(commands, random)) {
      const s = state.get(command);
      if (s.dropped) continue;
      let base;
      let result;
      if (random() < 0.5) {
        base = timeCommand(baseline);
        result = runOne(command);
      } else {
        result = runOne(command);
        base = timeCommand(baseline);
      }
      if (!result.ok) {
        s.failures += 1;
        s.lastFailure = result.reason;
        continue;
      }
      s.ms.push(result.ms);
      s.baseline.push(base.ms);
      s.ratio.push(result.ms / base.ms);
    }
    onProgress({ phase: "round", round: r + 1, of: rounds });
  }
  return commands.map((command) => {
    const s = state.get(command);
    return {
      command,
      n: s.ms.length,
      medianMs: median(s.ms),
      baselineMs: median(s.baseline),
      ratio: median(s.ratio),
      ratioP25: quantile(s.ratio, 0.25),
      ratioP75: quantile(s.ratio, 0.75),
      failures: s.failures,
      lastFailure: s.lastFailure,
      dropped: s.dropped,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Machine and versions

export function machineFacts() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? "unknown",
    loadavg: os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(" "),
    memGiB: (os.totalmem() / 2 ** 30).toFixed(0),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** jt's version, with the commit it was measured at and whether src/ had uncommitted changes. */
export function jtVersion() {
  const printed = capture([process.execPath, JT_BIN, "--version"]) ?? "unknown";
  const version = printed.replace(/^jt, version\s*/, "");
  const commit = capture(["git", "-C", REPO_DIR, "rev-parse", "--short", "HEAD"]);
  const dirty = capture(["git", "-C", REPO_DIR, "status", "--porcelain", "--", "src", "bin"]);
  return commit ? `${version} (${commit}${dirty ? ", with uncommitted changes in src/" : ""})` : version;
}

// ---------------------------------------------------------------------------------------------
// bench/RESULTS.md

const RESULTS_HEADER = `# jt benchmarks

Written by the scripts in \`bench/\`; each script replaces only its own marked section, so the prose outside the
markers is kept. Ratios are to \`node -e 0\` measured in the same rounds (the machines are shared: absolute
milliseconds drift, ratios hold). See \`bench/README.md\` for how to run them.
`;

/** Replaces the section between `<!-- name:begin -->` and `<!-- name:end -->`, or appends it. */
export function writeResultsSection(name, body, file = RESULTS_FILE) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : RESULTS_HEADER;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from !== -1 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}

// ---------------------------------------------------------------------------------------------
// Formatting

export const fmtMs = (ms) => (Number.isFinite(ms) ? (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)) : "–");
export const fmtRatio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");

export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The same table for a terminal: columns padded. */
export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function parseFlags(argv, spec) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    const [name, inline] = word.startsWith("--") ? word.slice(2).split(/=(.*)/s) : [undefined];
    if (!name || !(name in spec)) {
      console.error(
        `unknown argument: ${word}\nknown: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(" ")}`,
      );
      process.exit(2);
    }
    if (spec[name] === "boolean") flags[name] = true;
    else flags[name] = inline ?? argv[++i];
  }
  return flags;
}

// ---------------------------------------------------------------------------------------------
// Jobs benches: a throwaway project and jt run in it

/**
 * A throwaway jt project in the temp directory: package.json, a jt.config.json whose jobs.store is
 * `store`, `files` (path → text, under the root), and this jt as `jobs-and-tasks` in node_modules.
 */
export function jobsBenchProject(name, store, files) {
  const root = mkdtempSync(join(os.tmpdir(), `jt-bench-${name}-`));
  writeFileSync(join(root, "package.json"), `${JSON.stringify({ name: `bench-${name}`, private: true, type: "module" })}\n`);
  writeFileSync(join(root, "jt.config.json"), `${JSON.stringify({ jobs: { store } })}\n`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(join(root, "node_modules"));
  symlinkSync(REPO_DIR, join(root, "node_modules", "jobs-and-tasks"), "dir");
  return root;
}

/** Runs jt (or the script `bin`) in `root` to its end; its stdout, or an error with the end of its stderr. */
export function runIn(root, args, bin = JT_BIN) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, env: benchEnv(), encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}
