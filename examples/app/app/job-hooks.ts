// The app's job hooks (jobs.hooks in jt.config.ts): who enqueued each job, carried in its meta to
// whichever worker runs it, and how long each run took, in the worker's log.
import { defineJobHooks } from "jobs-and-tasks";

export default defineJobHooks({
  name: "audit",
  beforeEnqueue(job) {
    job.meta.enqueuedBy = process.env.USER ?? "unknown";
  },
  async aroundPerform(job, _ctx, perform) {
    const started = performance.now();
    try {
      return await perform();
    } finally {
      const ms = Math.round(performance.now() - started);
      console.log(`audit: ${job.task} (enqueued by ${job.meta.enqueuedBy ?? "cron"}) ran for ${ms} ms`);
    }
  },
});
