#!/usr/bin/env node
// The README's dashboard screenshots, taken by the browser the tests use (Debian's chromium through
// playwright-core): the example app in a temp copy, its users seeded, its jobs run by a real worker.
//
//   npm run build && node scripts/dashboard-screenshots.mjs     # writes docs/screenshots/*.png
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(repo, "docs", "screenshots");
const jt = join(repo, "bin", "jt.js");
// Under the repository's node_modules, so that the app finds the repository's better-sqlite3 as it does in examples/.
mkdirSync(join(repo, "node_modules", ".cache"), { recursive: true });
const app = mkdtempSync(join(repo, "node_modules", ".cache", "jt-screenshots-"));
cpSync(join(repo, "examples", "app"), app, { recursive: true, filter: (path) => !/\/(db|tmp|node_modules)$/.test(path) });
mkdirSync(join(app, "node_modules"));
symlinkSync(repo, join(app, "node_modules", "jobs-and-tasks"));
// A schedule that fires while the screenshots are taken (the app's own runs at 03:00).
writeFileSync(
  join(app, "tasks", "cache.ts"),
  `import { desc, task } from "jobs-and-tasks";\ndesc("Warm the cache (every 5 seconds)");\ntask("cache:warm", { cron: "*/5 * * * * *" }, () => new Promise((resolve) => setTimeout(resolve, 300)));\n`,
);
const env = { ...process.env, NO_COLOR: "1" };

function run(...args) {
  const result = spawnSync(process.execPath, [jt, ...args], { cwd: app, env, encoding: "utf8" });
  if (result.status !== 0 && !args.includes("jobs:workoff")) throw new Error(`jt ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

function start(...args) {
  const child = spawn(process.execPath, [jt, ...args], { cwd: app, env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (chunk) => (err += chunk));
  return {
    child,
    waitFor: async (pattern) => {
      while (!pattern.test(err)) {
        if (child.exitCode !== null) throw new Error(`jt ${args.join(" ")} exited: ${err}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return pattern.exec(err);
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let worker;
let dashboard;
try {
  run("db:migrate", "db:seed", "active_directory:load[alice,bob]");
  for (const [login, name] of [
    ["carol", "Carol"],
    ["dave", "Dave"],
    ["erin", "Erin"],
  ])
    run(`users:create[${login},${name}]`);
  for (const login of ["mallory", "trent"]) run("jobs:enqueue", `mail:welcome[${login}]`);
  run("jobs:enqueue", "reports:export[50]");
  run("jobs:workoff");
  run("jobs:enqueue", "reports:export[1500]");
  worker = start("jobs:work");
  await worker.waitFor(/worker \S+ working/);
  dashboard = start("jobs:dashboard", "--port", "0");
  const [, base] = await dashboard.waitFor(/jobs dashboard on (http:\/\/\S+)\/ /);

  const browser = await chromium.launch({ executablePath: process.env.JT_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const shot = (name) => page.screenshot({ path: join(out, `${name}.png`), fullPage: true });

  await page.goto(`${base}/schedules`);
  await page.click("tr[data-schedule='reports:daily'] button:text('Run now')");
  await sleep(1500);
  await page.goto(`${base}/`);
  await page.click("tr[data-queue=mail] button:text('Pause')");
  run("jobs:enqueue", "mail:welcome[alice]");
  await page.goto(`${base}/`);
  await sleep(500);
  await shot("overview");
  await page.goto(`${base}/jobs`);
  await shot("jobs");
  const exportJob = await page.locator("tr[data-job]", { hasText: "reports:export[1500]" }).getAttribute("data-job");
  await page.goto(`${base}/jobs/${exportJob}`);
  await page.waitForFunction(() => document.querySelector("progress")?.value >= 2, undefined, { timeout: 20_000 });
  await shot("job-progress");
  await page.goto(`${base}/jobs?task=mail%3Awelcome&q=mallory`);
  await page.click("tr[data-job] a");
  await shot("failed-job");
  await page.goto(`${base}/schedules`);
  await page.waitForFunction(() => document.querySelectorAll("tr[data-schedule='cache:warm'] [data-lag-ms]").length === 2, undefined, {
    timeout: 20_000,
  });
  await shot("schedules");
  await page.goto(`${base}/workers`);
  await shot("workers");
  await browser.close();
  console.log(`screenshots in ${out}`);
} finally {
  worker?.child.kill("SIGTERM");
  dashboard?.child.kill("SIGTERM");
  await sleep(500);
  rmSync(app, { recursive: true, force: true });
}
