/**
 * The dashboard's pages, as HTML. Every value from the store (args, errors, stacks, results, task
 * and queue names) is untrusted and goes through hono/html's `html` template, which escapes what
 * it interpolates; `raw` is only for markup built here. No front-end build: one stylesheet and
 * one small script, inline, allowed by the page's nonce.
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { formatTarget } from "../args/brackets.js";
import { attemptRounds, took, when } from "../jobs/format.js";
import type { Job, JobFilter, JobState, QueueStats, ThroughputBucket } from "../jobs/store/store.js";
import { isRestArg } from "../args/task-arguments.js";
import type { TaskDefinition } from "../registry/task.js";
import { fullComment } from "../report/listing.js";
import { progressText } from "../report/progress.js";
import { formatDuration } from "../shared/duration.js";
import { chartStyle } from "./assets.js";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export { JOB_STATES as STATES } from "../jobs/store/store.js";
import { JOB_STATES as STATES } from "../jobs/store/store.js";

export interface PageContext {
  /** Where the dashboard is mounted ("" or "/admin/jobs"). */
  prefix: string;
  readOnly: boolean;
  /** The CSRF token forms send back. */
  csrf: string;
  /** The script's nonce (Content-Security-Policy). */
  nonce: string;
  now: number;
  /** What the last action did, shown once. */
  notice: string | undefined;
  /** Where the store is, shown without a password. */
  storeName: string;
}

const STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --bad: #b91c1c; --good: #15803d; --warn: #b45309; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; }
header { display: flex; gap: 1.5rem; align-items: baseline; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
header strong { font-size: 1.1rem; } header a { text-decoration: none; } header .store { margin-left: auto; color: var(--muted); }
main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.state-failed { color: var(--bad); } .state-completed { color: var(--good); } .state-running { color: var(--warn); }
pre { background: rgba(127,127,127,.12); padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
form.inline { display: inline; } button { cursor: pointer; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: .5rem; }
.filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.notice { padding: .5rem .75rem; border: 1px solid var(--good); margin-bottom: 1rem; }
.muted { color: var(--muted); } .latency-bad { color: var(--bad); font-weight: 600; }
progress { width: 14rem; }
#throughput { min-height: 200px; }
`;

/**
 * Re-fetches the page every few seconds and swaps its <main>, unless someone is typing in a form;
 * draws the throughput chart (uPlot) from the JSON the overview carries, again after each swap.
 */
const LIVE = `
let chart;
function drawChart() {
  chart?.destroy();
  chart = undefined;
  const data = document.getElementById("throughput-data");
  const box = document.getElementById("throughput");
  if (!data || !box || !window.uPlot) return;
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  const axis = { stroke: dark ? "#d1d5db" : "#374151", grid: { stroke: "rgba(127,127,127,.2)" } };
  chart = new uPlot({
    width: Math.max(320, box.clientWidth), height: 200,
    series: [{}, { label: "completed", stroke: "#15803d", fill: "rgba(21,128,61,.12)", points: { show: false } }, { label: "failed", stroke: "#b91c1c", fill: "rgba(185,28,28,.12)", points: { show: false } }],
    axes: [axis, { ...axis, label: "jobs per minute" }],
  }, JSON.parse(data.textContent), box);
}
drawChart();
setInterval(async () => {
  if (document.hidden || document.activeElement?.closest("form")) return;
  const response = await fetch(location.href, { headers: { "x-jt-live": "1" } });
  if (response.ok && response.headers.get("x-jt-live") === "1") {
    document.querySelector("main").innerHTML = await response.text();
    drawChart();
  }
}, 3000);
`;

export function layout(context: PageContext, title: string, body: Html): Html {
  const p = context.prefix;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · jt jobs</title>
<style nonce="${context.nonce}">${raw(STYLE)}${raw(chartStyle())}</style>
</head>
<body>
<header>
  <strong>jt jobs</strong>
  <a href="${p}/">Overview</a>
  <a href="${p}/jobs">Jobs</a>
  <a href="${p}/jobs?state=failed">Failed</a>
  <a href="${p}/schedules">Schedules</a>
  <a href="${p}/workers">Workers</a>
  <a href="${p}/tasks">Tasks</a>
  <span class="store">${context.storeName}${context.readOnly ? " · read-only" : ""}</span>
</header>
<main>${body}</main>
<script nonce="${context.nonce}" src="${p}/assets/uplot.js"></script>
<script nonce="${context.nonce}">${raw(LIVE)}</script>
</body>
</html>`;
}

/** A button that POSTs to `path` (under the prefix) with the CSRF token. */
export function postButton(context: PageContext, path: string, label: string): Html {
  return html`<form class="inline" method="post" action="${context.prefix}${path}"><input type="hidden" name="csrf" value="${context.csrf}"><button>${label}</button></form>`;
}

/** Just the part the live refresh swaps. */
export function main(context: PageContext, body: Html): Html {
  return html`${notice(context)}${body}`;
}

function notice(context: PageContext): Html {
  return context.notice ? html`<p class="notice" role="status">${context.notice}</p>` : html``;
}

function jobsLink(context: PageContext, filter: { state?: string; queue?: string }, text: string | number): Html {
  const query = new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return html`<a href="${context.prefix}/jobs?${query.toString()}">${String(text)}</a>`;
}

export interface Overview {
  stats: readonly QueueStats[];
  oldestRunnable: readonly { queue: string; runAt: number }[];
  recentFailures: readonly Job[];
  pausedQueues: readonly string[];
  /** The last hour, a bucket a minute. */
  throughput: { since: number; bucketMs: number; buckets: readonly ThroughputBucket[] };
}

/** uPlot's data: times (seconds) and the two series, every bucket of the window (zeros included). */
function chartData(throughput: Overview["throughput"], now: number): [number[], number[], number[]] {
  const { since, bucketMs, buckets } = throughput;
  const times: number[] = [];
  const completed: number[] = [];
  const failed: number[] = [];
  for (let at = since; at <= now; at += bucketMs) {
    const bucket = buckets.find((b) => b.at === at);
    times.push(at / 1000);
    completed.push(bucket?.completed ?? 0);
    failed.push(bucket?.failed ?? 0);
  }
  return [times, completed, failed];
}

export function overviewPage(context: PageContext, overview: Overview): Html {
  const queues = [
    ...new Set([...overview.stats.map((s) => s.queue), ...overview.oldestRunnable.map((o) => o.queue), ...overview.pausedQueues]),
  ].sort();
  const paused = (queue: string) => overview.pausedQueues.includes(queue);
  const control = (queue: string) =>
    context.readOnly
      ? ""
      : paused(queue)
        ? postButton(context, `/queues/${encodeURIComponent(queue)}/resume`, "Resume")
        : postButton(context, `/queues/${encodeURIComponent(queue)}/pause`, "Pause");
  const finished = overview.throughput.buckets.reduce((sum, b) => sum + b.completed, 0);
  const failedForGood = overview.throughput.buckets.reduce((sum, b) => sum + b.failed, 0);
  const count = (queue: string, state: JobState) => overview.stats.find((s) => s.queue === queue && s.state === state)?.count ?? 0;
  const total = (state: JobState) => overview.stats.filter((s) => s.state === state).reduce((sum, s) => sum + s.count, 0);
  const latency = (queue: string) => {
    const oldest = overview.oldestRunnable.find((o) => o.queue === queue);
    if (!oldest) return html`<span class="muted">–</span>`;
    const ms = Math.max(0, context.now - oldest.runAt);
    return html`<span class="${ms >= 60_000 ? "latency-bad" : ""}" data-latency-ms="${String(ms)}">${formatDuration(ms)}</span>`;
  };
  return main(
    context,
    html`<h1>Overview</h1>
<h2>Queues</h2>
${
  queues.length === 0
    ? html`<p class="muted">No jobs yet.</p>`
    : html`<table id="queues">
<thead><tr><th>queue</th>${STATES.map((state) => html`<th class="num">${state}</th>`)}<th class="num" title="How long the oldest runnable job has waited">latency</th><th></th></tr></thead>
<tbody>${queues.map(
        (queue) =>
          html`<tr data-queue="${queue}"${paused(queue) ? raw(' data-paused="1"') : ""}><td>${jobsLink(context, { queue }, queue)}${
            paused(queue) ? html` <span class="state-running">paused</span>` : ""
          }</td>${STATES.map(
            (state) => html`<td class="num">${jobsLink(context, { queue, state }, count(queue, state))}</td>`,
          )}<td class="num">${latency(queue)}</td><td>${control(queue)}</td></tr>`,
      )}</tbody>
<tfoot><tr><th>all</th>${STATES.map((state) => html`<th class="num">${jobsLink(context, { state }, total(state))}</th>`)}<th></th><th></th></tr></tfoot>
</table>`
}
<h2>Throughput, last hour</h2>
<p class="muted" id="throughput-totals">${String(finished)} completed, ${String(failedForGood)} failed for good</p>
<div id="throughput"></div>
<script type="application/json" id="throughput-data">${raw(JSON.stringify(chartData(overview.throughput, context.now)))}</script>
<h2>Recent failures</h2>
${overview.recentFailures.length === 0 ? html`<p class="muted">None.</p>` : jobsTable(context, overview.recentFailures)}`,
  );
}

export function jobsPage(context: PageContext, filter: JobFilter, jobs: readonly Job[], nextBefore: number | undefined): Html {
  const value = (name: keyof JobFilter) => (filter[name] === undefined ? "" : String(filter[name]));
  const state = filter.states?.[0];
  const query = new URLSearchParams();
  if (state) query.set("state", state);
  if (filter.queue) query.set("queue", filter.queue);
  if (filter.task) query.set("task", filter.task);
  if (filter.text) query.set("q", filter.text);
  const hidden = [...query.entries()].map(([name, v]) => html`<input type="hidden" name="${name}" value="${v}">`);
  return main(
    context,
    html`<h1>Jobs</h1>
<form class="filters" method="get" action="${context.prefix}/jobs">
  <label>state <select name="state"><option value="">any</option>${STATES.map(
    (s) => html`<option value="${s}"${s === state ? raw(" selected") : ""}>${s}</option>`,
  )}</select></label>
  <label>queue <input name="queue" value="${value("queue")}"></label>
  <label>task <input name="task" value="${value("task")}"></label>
  <label>args or error contain <input name="q" value="${value("text")}"></label>
  <button type="submit">Filter</button>
</form>
${
  context.readOnly
    ? ""
    : html`<form class="inline" method="post" action="${context.prefix}/jobs/bulk"><input type="hidden" name="csrf" value="${context.csrf}">${hidden}
  <span class="muted">Every job this filter matches:</span>
  <button name="action" value="retry">Retry all</button>
  <button name="action" value="discard">Discard all</button>
  <button name="action" value="cancel">Cancel all</button>
</form>`
}
${jobs.length === 0 ? html`<p class="muted">No jobs.</p>` : jobsTable(context, jobs)}
${
  nextBefore === undefined ? "" : html`<p><a rel="next" href="${context.prefix}/jobs?${withBefore(query, nextBefore)}">Older jobs →</a></p>`
}`,
  );
}

function withBefore(query: URLSearchParams, before: number): string {
  const next = new URLSearchParams(query);
  next.set("before", String(before));
  return next.toString();
}

function jobsTable(context: PageContext, jobs: readonly Job[]): Html {
  return html`<table class="jobs">
<thead><tr><th>id</th><th>state</th><th>task</th><th>queue</th><th>attempts</th><th>progress</th><th>when</th><th>last error</th></tr></thead>
<tbody>${jobs.map(
    (job) => html`<tr data-job="${String(job.id)}">
<td><a href="${context.prefix}/jobs/${String(job.id)}">${String(job.id)}</a></td>
<td class="state-${job.state}">${job.state}</td>
<td>${formatTarget(job.task, job.args)}</td>
<td>${job.queue}</td>
<td class="num">${job.attempts}/${job.maxAttempts}</td>
<td>${job.progress ? progressText(job.progress) : ""}</td>
<td>${job.state === "queued" ? when(job.runAt, context.now) : when(job.finishedAt ?? job.updatedAt, context.now)}</td>
<td>${lastError(job)}</td>
</tr>`,
  )}</tbody>
</table>`;
}

function lastError(job: Job): string {
  const error = job.errors.at(-1);
  if (!error) return "";
  const line = error.message.split("\n")[0]!;
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

function iso(ms: number | null): string {
  return ms === null ? "–" : new Date(ms).toISOString();
}

export function jobPage(context: PageContext, job: Job): Html {
  const actions: [string, string, boolean][] = [
    ["retry", job.state === "queued" ? "Run now" : "Retry", ["failed", "cancelled", "queued"].includes(job.state)],
    ["cancel", "Cancel", job.state === "queued"],
    ["discard", "Discard", ["failed", "cancelled"].includes(job.state)],
  ];
  const progress = job.progress;
  return main(
    context,
    html`<h1>Job ${String(job.id)}: ${formatTarget(job.task, job.args)}</h1>
${
  context.readOnly
    ? ""
    : actions
        .filter(([, , allowed]) => allowed)
        .map(
          ([action, label]) =>
            html`<form class="inline" method="post" action="${context.prefix}/jobs/${String(job.id)}/${action}"><input type="hidden" name="csrf" value="${context.csrf}"><button>${label}</button></form> `,
        )
}
<table class="details">
<tr><th>state</th><td class="state-${job.state}" id="state">${job.state}</td></tr>
<tr><th>task</th><td>${job.task}</td></tr>
<tr><th>args</th><td><pre>${JSON.stringify(job.args, null, 2)}</pre></td></tr>
<tr><th>queue</th><td>${job.queue} (priority ${String(job.priority)})</td></tr>
<tr><th>attempts</th><td>${String(job.attempts)} of ${String(job.maxAttempts)}</td></tr>
<tr><th>run at</th><td>${iso(job.runAt)} (${when(job.runAt, context.now)})</td></tr>
<tr><th>created</th><td>${iso(job.createdAt)}</td></tr>
<tr><th>started</th><td>${iso(job.startedAt)}</td></tr>
<tr><th>finished</th><td>${iso(job.finishedAt)}${took(job)}</td></tr>
<tr><th>worker</th><td>${job.lockedBy ?? job.worker ?? "–"}${job.lockedBy ? ` (lease until ${iso(job.lockedUntil)})` : ""}</td></tr>
${job.uniqueKey === null ? "" : html`<tr><th>unique key</th><td>${job.uniqueKey}</td></tr>`}
<tr><th>progress</th><td id="progress">${
      progress
        ? html`${progress.total === null ? "" : html`<progress max="${String(progress.total)}" value="${String(Math.min(progress.done, progress.total))}"></progress> `}${progressText(progress)} <span class="muted">(${when(progress.at, context.now)})</span>`
        : "–"
    }</td></tr>
</table>
${job.result === null ? "" : html`<h2>Result</h2><pre id="result">${JSON.stringify(job.result, null, 2)}</pre>`}
<h2>Attempts</h2>
${history(job)}`,
  );
}

function history(job: Job): Html {
  const { earlier, current } = attemptRounds(job);
  const items: Html[] = [];
  const attempt = (error: Job["errors"][number]) =>
    items.push(
      html`<li><strong>attempt ${String(error.attempt)}</strong> at ${iso(error.at)}: <span class="state-failed">${error.message}</span>${error.stack ? html`<pre>${error.stack}</pre>` : ""}</li>`,
    );
  for (const round of earlier) {
    round.forEach(attempt);
    items.push(html`<li class="muted">retried: attempts counted again from 1</li>`);
  }
  current.forEach(attempt);
  if (job.state === "completed")
    items.push(html`<li><strong>attempt ${String(job.attempts)}</strong> at ${iso(job.finishedAt)}: completed</li>`);
  if (job.state === "running")
    items.push(
      html`<li><strong>attempt ${String(job.attempts)}</strong> started at ${iso(job.startedAt)}: <span class="state-running">running</span></li>`,
    );
  if (items.length === 0) return html`<p class="muted">Not run yet.</p>`;
  return html`<ol class="history">${items}</ol>`;
}

export function notFoundPage(context: PageContext, what: string): Html {
  return main(context, html`<h1>Not found</h1><p>${what}</p>`);
}

/** Every task, with its description and a form that enqueues it with its declared arguments. */
export function tasksPage(context: PageContext, tasks: readonly TaskDefinition[], paused: ReadonlySet<string>): Html {
  return main(
    context,
    html`<h1>Tasks</h1>
${
  tasks.length === 0
    ? html`<p class="muted">No tasks.</p>`
    : html`<table class="tasks">
<thead><tr><th>task</th><th>description</th><th>as a job</th>${context.readOnly ? "" : html`<th>enqueue</th>`}</tr></thead>
<tbody>${tasks.map(
        (task) => html`<tr data-task="${task.name}">
<td><a href="${context.prefix}/jobs?task=${encodeURIComponent(task.name)}">${task.name}</a></td>
<td>${task.comments.length > 0 ? fullComment(task) : html`<span class="muted">–</span>`}</td>
<td>${jobSettings(task)}${paused.has(task.name) ? html` <span class="state-running">paused</span>` : ""}</td>
${
  context.readOnly
    ? ""
    : html`<td>${enqueueForm(context, task)}${postButton(
        context,
        `/tasks/${encodeURIComponent(task.name)}/${paused.has(task.name) ? "resume" : "pause"}`,
        paused.has(task.name) ? "Resume its jobs" : "Pause its jobs",
      )}</td>`
}
</tr>`,
      )}</tbody>
</table>`
}`,
  );
}

function jobSettings(task: TaskDefinition): string {
  const { queue, priority, attempts, cron, tz } = task.job;
  return [
    `queue ${queue ?? "default"}`,
    ...(priority === undefined ? [] : [`priority ${priority}`]),
    ...(attempts === undefined ? [] : [`${attempts} attempts`]),
    ...(cron === undefined ? [] : [`cron ${cron}${tz ? ` (${tz})` : ""}`]),
  ].join(", ");
}

function enqueueForm(context: PageContext, task: TaskDefinition): Html {
  return html`<form method="post" action="${context.prefix}/tasks/enqueue" class="filters">
<input type="hidden" name="csrf" value="${context.csrf}"><input type="hidden" name="task" value="${task.name}">
${task.args.names.map((name) => {
  const rest = isRestArg(name);
  const label = rest ? name.slice(0, -3) : name;
  return html`<label>${label}${rest ? " (comma-separated)" : ""} <input name="arg:${name}" value="${task.args.defaults[label] ?? ""}"></label>`;
})}
<button>Enqueue</button>
</form>`;
}
