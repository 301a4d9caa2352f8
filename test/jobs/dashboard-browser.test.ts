/**
 * The dashboard in a real browser (chromium through playwright-core), on both stores: what an
 * operator does with it. A failed job is found by filtering, retried from its page once its cause
 * is fixed, and seen completed without a reload; a filter's jobs are discarded in bulk; pausing a
 * queue stops a running worker from claiming; a cron task shows its next slot and its lag, and
 * pausing it stops its slots; the workers page shows a live worker and one that died as gone; job
 * data with script payloads renders as text (no dialog opens). Then, once: a public address needs
 * auth. With JT_SCREENSHOTS=dir, the main pages are saved there (the README's screenshots).
 */
import { join } from "node:path";
import { afterAll, describe, expect, onTestFinished, test } from "vitest";
import { closeBrowser, openPage, type OpenPage } from "../helpers/browser.js";
import { enqueueJob, jobsProject, showJob } from "../helpers/jobs.js";
import { eachStore } from "../helpers/postgres.js";
import type { TestProject } from "../helpers/project.js";
import { spawnJt } from "../helpers/spawn.js";

const XSS_ARG = `<script>alert("arg")</script>`;
const XSS_ERROR = `"><img src=x onerror=alert(1)>`;

const TASKS = `import { existsSync } from "node:fs";
import { task, desc } from "jobs-and-tasks";

desc("Sync one account (fails until the file 'fixed' exists)");
task("sync", { args: ["account"], retry: { attempts: 1 } }, async ({ args, progress }) => {
  if (!existsSync("fixed")) throw new Error(\`cannot reach \${args.account}: ${XSS_ERROR}\`);
  progress(1, 1, "synced");
  return { synced: args.account };
});
task("noise", { args: ["n"], retry: { attempts: 1 } }, () => {
  throw new Error("noise");
});
task("later", { args: ["n"], queue: "mail" }, () => {});
desc("Every second, on its own queue");
task("tick", { cron: "* * * * * *", queue: "clock" }, async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
});
`;

const stores = eachStore();
const screenshots = process.env.JT_SCREENSHOTS;

afterAll(closeBrowser);

// A short lease: workers beat every ~100 ms and are gone 1.3 s after their last beat.
function app(): TestProject {
  return jobsProject("dashboard-app", TASKS, { jobs: { lease: "300ms" } });
}

async function serve(p: TestProject, env: Record<string, string>, args: string[] = []): Promise<string> {
  const server = spawnJt(p.root, ["jobs:dashboard", "--port", "0", ...args], { env, timeoutMs: 120_000 }, { onTestFinished });
  const [, url] = await server.waitFor("stderr", /jobs dashboard on (http:\/\/\S+)\/ /);
  return url!;
}

async function open(options: Parameters<typeof openPage>[0] = {}): Promise<OpenPage> {
  const opened = await openPage(options);
  onTestFinished(() => opened.close());
  return opened;
}

async function shoot(opened: OpenPage, name: string): Promise<void> {
  if (screenshots) await opened.page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

describe.each(Object.keys(stores))("the dashboard in a browser, on %s", (storeName) => {
  test("a failed job is found by filtering, retried from its page once fixed, and shows completed; payloads render as text", async () => {
    const env = stores[storeName]!();
    const p = app();
    for (const target of [`sync[${XSS_ARG}]`, "noise[1]", "noise[2]"]) await enqueueJob(p, target, [], env);
    await p.run(["jobs:workoff"], { env });
    const base = await serve(p, env);
    const { page, problems } = await open();

    await page.goto(`${base}/jobs`);
    await page.selectOption("select[name=state]", "failed");
    await page.fill("input[name=q]", "cannot reach");
    await page.click("button:text('Filter')");
    await expect.poll(() => page.locator("tr[data-job]").count()).toBe(1);
    expect(new URL(page.url()).searchParams.get("q")).toBe("cannot reach");
    // The payloads are text on the page, and no markup of theirs ran.
    await expect.poll(() => page.locator("tr[data-job] td").nth(2).textContent()).toBe(`sync[${XSS_ARG}]`);
    expect(await page.locator("img").count()).toBe(0);

    await page.click("tr[data-job] a");
    await expect.poll(() => page.locator("#state").textContent()).toBe("failed");
    expect(await page.locator("li .state-failed").first().textContent()).toBe(`cannot reach ${XSS_ARG}: ${XSS_ERROR}`);
    await shoot({ page, problems, close: async () => {} }, "failed-job");

    p.file("fixed", "");
    await page.click("button:text('Retry')");
    await expect.poll(() => page.locator(".notice").textContent()).toBe("Retried job 1");
    expect(await page.locator("#state").textContent()).toBe("queued");
    await p.run(["jobs:workoff"], { env });
    // No reload: the page refreshes itself.
    await expect.poll(() => page.locator("#state").textContent(), { timeout: 10_000 }).toBe("completed");
    expect(await page.locator("#result").textContent()).toBe(JSON.stringify({ synced: XSS_ARG }, null, 2));
    expect(await page.locator("img").count()).toBe(0);
    expect(problems).toEqual([]);
  }, 120_000);

  test("bulk: Discard all removes every job the filter matches, and only those", async () => {
    const env = stores[storeName]!();
    const p = app();
    for (const target of ["noise[1]", "noise[2]", "noise[3]", "sync[acme]"]) await enqueueJob(p, target, [], env);
    await p.run(["jobs:workoff"], { env });
    const base = await serve(p, env);
    const { page, problems } = await open();
    await page.goto(`${base}/jobs?state=failed&task=noise`);
    expect(await page.locator("tr[data-job]").count()).toBe(3);
    await page.click("button:text('Discard all')");
    await expect.poll(() => page.locator(".notice").textContent()).toBe("Discarded 3 jobs");
    expect(await page.locator("main").textContent()).toContain("No jobs.");
    await page.goto(`${base}/jobs?state=failed`);
    expect(await page.locator("tr[data-job]").count()).toBe(1);
    expect(problems).toEqual([]);
  }, 120_000);

  test("pausing a queue stops a running worker from claiming it (other queues run on); resuming runs what queued meanwhile", async () => {
    const env = stores[storeName]!();
    const p = app();
    const worker = spawnJt(p.root, ["jobs:work"], { env, timeoutMs: 120_000 }, { onTestFinished });
    await worker.waitFor("stderr", /jt: worker \S+ working/, 30_000);
    const base = await serve(p, env);
    const { page, problems } = await open();
    const first = await enqueueJob(p, "later[0]", [], env);
    await expect.poll(async () => (await showJob(p, first, env)).state, { timeout: 10_000 }).toBe("completed");

    await page.goto(`${base}/`);
    await page.click("tr[data-queue=mail] button:text('Pause')");
    await expect.poll(() => page.locator(".notice").textContent()).toBe("Paused queue mail");
    expect(await page.locator("tr[data-queue=mail]").getAttribute("data-paused")).toBe("1");

    const held = await enqueueJob(p, "later[1]", [], env);
    const other = await enqueueJob(p, "noise[1]", [], env);
    // The other queue runs on; the paused one is not claimed (the worker polls every 100 ms).
    await expect.poll(async () => (await showJob(p, other, env)).state, { timeout: 10_000 }).toBe("failed");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await showJob(p, held, env)).state).toBe("queued");
    await shoot({ page, problems, close: async () => {} }, "overview");

    await page.reload();
    await page.click("tr[data-queue=mail] button:text('Resume')");
    await expect.poll(() => page.locator(".notice").textContent()).toBe("Resumed queue mail");
    await expect.poll(async () => (await showJob(p, held, env)).state, { timeout: 10_000 }).toBe("completed");
    expect(problems).toEqual([]);
  }, 120_000);

  test("a cron task shows its last slot, its lag and its next slot; pausing it stops its slots; workers show live, then gone", async () => {
    const env = stores[storeName]!();
    const p = app();
    const worker = spawnJt(p.root, ["jobs:work"], { env, timeoutMs: 120_000 }, { onTestFinished });
    await worker.waitFor("stderr", /enqueued tick for/, 20_000);
    const base = await serve(p, env);
    const { page, problems } = await open();

    await page.goto(`${base}/schedules`);
    const row = page.locator("tr[data-schedule=tick]");
    await expect.poll(() => row.locator("td").nth(4).textContent(), { timeout: 10_000 }).toMatch(/^job \d+ completed$/);
    const nextSlot = Date.parse((await row.locator(".next-slot time").getAttribute("datetime"))!);
    expect(nextSlot).toBeGreaterThan(Date.now() - 2_000);
    expect(nextSlot).toBeLessThan(Date.now() + 5_000);
    const lags = await row.locator("[data-lag-ms]").evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute("data-lag-ms"))));
    expect(lags).toHaveLength(2);
    expect(lags[0]).toBeGreaterThanOrEqual(0);
    expect(lags[1]).toBeGreaterThanOrEqual(lags[0]! + 40); // the task sleeps 50 ms
    expect(await row.locator("td").nth(2).textContent()).toBe("on time");
    await shoot({ page, problems, close: async () => {} }, "schedules");

    await row.locator("button:text('Pause')").click();
    await expect.poll(() => page.locator(".notice").textContent()).toBe("Paused schedule tick");
    expect(await page.locator("tr[data-schedule=tick] td").nth(2).textContent()).toBe("paused");
    const before = (await p.run(["jobs:list", "--task", "tick", "--json"], { env })).stdout;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await p.run(["jobs:list", "--task", "tick", "--json"], { env })).stdout).toBe(before);

    await page.goto(`${base}/workers`);
    const live = page.locator("tr[data-worker]");
    await expect.poll(() => live.count()).toBe(1);
    expect(await live.locator("td").nth(1).textContent()).toBe("live");
    expect(await live.locator("td").nth(3).textContent()).toBe(String(worker.workerPid));
    await shoot({ page, problems, close: async () => {} }, "workers");
    worker.killTree("SIGKILL");
    await expect.poll(() => live.locator("td").nth(1).textContent(), { timeout: 10_000 }).toBe("gone");
    expect(problems).toEqual([]);
  }, 120_000);
});

describe("the dashboard on a public address, in a browser", () => {
  test("refuses to start without auth; with basic auth, the browser gets 401 until it gives the password", async () => {
    const p = app();
    const refused = await p.run(["jobs:dashboard", "--host", "0.0.0.0", "--port", "0"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("without authentication");
    const server = spawnJt(
      p.root,
      ["jobs:dashboard", "--host", "0.0.0.0", "--port", "0"],
      { env: { JT_DASHBOARD_USER: "ops", JT_DASHBOARD_PASSWORD: "a long password" }, timeoutMs: 60_000 },
      { onTestFinished },
    );
    const [, port] = await server.waitFor("stderr", /http:\/\/0\.0\.0\.0:(\d+)\/ .*\(basic auth required\)/);
    const url = `http://127.0.0.1:${port}/`;
    // Without a password the browser asks for one (headless, nobody answers: the navigation fails); a wrong one gets 401.
    await expect((await open()).page.goto(url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    const wrong = await open({ httpCredentials: { username: "ops", password: "nope" } });
    expect((await wrong.page.goto(url))!.status()).toBe(401);
    expect(await wrong.page.locator("body").textContent()).not.toContain("Overview");
    for (const refusedPage of [await open(), wrong]) {
      const response = await refusedPage.page.request.get(url);
      expect(response.status()).toBe(401);
      expect(response.headers()["www-authenticate"]).toBe('Basic realm="jt jobs"');
    }
    const ops = await open({ httpCredentials: { username: "ops", password: "a long password" } });
    expect((await ops.page.goto(`http://127.0.0.1:${port}/`))!.status()).toBe(200);
    expect(await ops.page.locator("h1").textContent()).toBe("Overview");
  }, 60_000);
});
