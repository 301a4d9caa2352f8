/**
 * The pages about what runs the jobs: the cron schedules (last and next slot, SLA lag, pause and
 * run now) and the workers (live, or gone once they stop heartbeating). Same escaping rules as
 * pages.ts: every value from the store goes through `html`.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { formatTarget } from "../args/brackets.js";
import { when } from "../jobs/format.js";
import type { ScheduleHealth } from "../jobs/schedules.js";
import type { WorkerRecord } from "../jobs/store/store.js";
import { formatDuration } from "../shared/duration.js";
import { main, postButton, type PageContext } from "./pages.js";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

function at(ms: number | null, now: number, zone: string | undefined): Html {
  if (ms === null) return html`<span class="muted">–</span>`;
  const local = new Date(ms).toLocaleString("sv-SE", { timeZone: zone ?? "UTC", hour12: false });
  return html`<time datetime="${new Date(ms).toISOString()}">${local} ${zone ?? "UTC"}</time> <span class="muted">(${when(ms, now)})</span>`;
}

function lag(ms: number | null): Html {
  if (ms === null) return html`<span class="muted">–</span>`;
  return html`<span class="${ms >= 60_000 ? "latency-bad" : ""}" data-lag-ms="${String(ms)}">${formatDuration(ms)}</span>`;
}

function status(h: ScheduleHealth, now: number): Html {
  if (h.paused) return html`<span class="state-running">paused</span>`;
  if (!h.seen)
    return html`<span class="latency-bad" title="No worker's clock has seen this schedule: is jt jobs:work running?">no worker</span>`;
  if (h.missed !== null)
    return html`<span class="latency-bad" data-missed="${new Date(h.missed).toISOString()}">missed ${when(h.missed, now)}</span>`;
  if (h.lastRun === null) return html`<span class="muted">waiting for its first slot</span>`;
  if (h.lastJob?.state === "failed") return html`<span class="state-failed">last run failed</span>`;
  return html`<span class="state-completed">on time</span>`;
}

export function schedulesPage(context: PageContext, schedules: readonly ScheduleHealth[]): Html {
  return main(
    context,
    html`<h1>Schedules</h1>
${
  schedules.length === 0
    ? html`<p class="muted">No task has a cron schedule.</p>`
    : html`<table id="schedules">
<thead><tr><th>schedule</th><th>cron</th><th>status</th><th>last slot</th><th>last run</th><th class="num" title="How late the last run started after its slot">start lag</th><th class="num" title="How long after its slot the last run finished">finish lag</th><th>next slot</th>${context.readOnly ? "" : html`<th></th>`}</tr></thead>
<tbody>${schedules.map((h) => {
        const task = encodeURIComponent(h.schedule.name);
        const job = h.lastJob;
        const { schedule } = h;
        return html`<tr data-schedule="${schedule.name}">
<td>${schedule.name}${schedule.source === "runtime" ? html` <span class="muted">runs ${formatTarget(schedule.task, schedule.args)}, made at run time</span>` : ""}</td>
<td><code>${schedule.cron}</code>${schedule.tz ? html` <span class="muted">${schedule.tz}</span>` : ""}${
          schedule.code ? html` <span class="muted">overrides <code>${schedule.code.cron}</code> of the task</span>` : ""
        }</td>
<td>${status(h, context.now)}</td>
<td>${at(h.lastRun, context.now, h.schedule.tz)}</td>
<td>${job ? html`<a href="${context.prefix}/jobs/${String(job.id)}">job ${String(job.id)}</a> <span class="state-${job.state}">${job.state}</span>` : html`<span class="muted">–</span>`}</td>
<td class="num">${lag(h.startLagMs)}</td>
<td class="num">${lag(h.finishLagMs)}</td>
<td class="next-slot">${at(h.nextRun, context.now, h.schedule.tz)}</td>
${
  context.readOnly
    ? ""
    : html`<td>${postButton(context, `/schedules/${task}/run`, "Run now")} ${
        h.paused ? postButton(context, `/schedules/${task}/resume`, "Resume") : postButton(context, `/schedules/${task}/pause`, "Pause")
      }</td>`
}
</tr>`;
      })}</tbody>
</table>
<p class="muted">A paused schedule's slots pass without a job (resuming does not replay them). Lag is measured from the slot.</p>`
}`,
  );
}

export function workersPage(context: PageContext, workers: readonly WorkerRecord[]): Html {
  const live = (w: WorkerRecord) => w.stoppedAt === null && w.expiresAt > context.now;
  return main(
    context,
    html`<h1>Workers</h1>
${
  workers.length === 0
    ? html`<p class="muted">No worker has run in the last day. Start one with <code>jt jobs:work</code>.</p>`
    : html`<table id="workers">
<thead><tr><th>worker</th><th>state</th><th>host</th><th class="num">pid</th><th>queues</th><th class="num">concurrency</th><th>running jobs</th><th>started</th><th>last heartbeat</th></tr></thead>
<tbody>${workers.map(
        (w) => html`<tr data-worker="${w.id}">
<td><code>${w.id}</code></td>
<td>${live(w) ? html`<span class="state-completed">live</span>` : w.stoppedAt === null ? html`<span class="latency-bad" title="It stopped heartbeating without stopping cleanly">gone</span>` : html`<span class="muted">stopped</span>`}</td>
<td>${w.host}</td>
<td class="num">${String(w.pid)}</td>
<td>${w.queues === null ? html`<span class="muted">all</span>` : w.queues.join(", ")}</td>
<td class="num">${String(w.concurrency)}</td>
<td>${w.running.length === 0 ? html`<span class="muted">–</span>` : w.running.map((id) => html`<a href="${context.prefix}/jobs/${String(id)}">${String(id)}</a> `)}</td>
<td>${when(w.startedAt, context.now)}</td>
<td>${when(w.heartbeatAt, context.now)}</td>
</tr>`,
      )}</tbody>
</table>`
}`,
  );
}
