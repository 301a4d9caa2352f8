/**
 * OpenTelemetry for jobs, as a hook set: a producer span around each enqueue whose context is
 * carried in the job's meta (W3C `traceparent`, by the app's propagator), and a consumer span
 * around each run, its child, active while the task runs so the app's own spans nest under it.
 * Written against the few parts of `@opentelemetry/api` it uses: jt does not depend on it.
 */
import { headline } from "../report/errors.js";
import type { EnqueuedJob, EnqueueingJob, JobHooks, PerformingJob } from "../api/types.js";
import { jtVersion } from "../package-paths.js";
import type { HookSet } from "./hooks.js";

interface Span {
  setAttribute(key: string, value: string | number): unknown;
  recordException(exception: Error | string): void;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

type Context = object;

interface Tracer {
  startSpan(name: string, options: { kind: number; attributes: Record<string, string | number> }, context?: Context): Span;
}

/** The parts of `@opentelemetry/api` jt uses. */
export interface OpenTelemetryApi {
  trace: { getTracer(name: string, version?: string): Tracer; setSpan(context: Context, span: Span): Context };
  context: { active(): Context; with<T>(context: Context, fn: () => T): T };
  propagation: {
    inject(context: Context, carrier: Record<string, string>): void;
    extract(context: Context, carrier: Record<string, string>): Context;
  };
  ROOT_CONTEXT: Context;
  SpanKind: { PRODUCER: number; CONSUMER: number };
  SpanStatusCode: { ERROR: number };
}

export function openTelemetryHooks(api: OpenTelemetryApi): HookSet {
  const tracer = () => api.trace.getTracer("jobs-and-tasks", jtVersion());
  const failed = (span: Span, error: unknown) => {
    span.recordException(error instanceof Error ? error : headline(error));
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: headline(error) });
  };
  const hooks: JobHooks = {
    name: "OpenTelemetry",
    async aroundEnqueue(job: EnqueueingJob, enqueue: () => Promise<EnqueuedJob>) {
      const span = tracer().startSpan(`enqueue ${job.task}`, {
        kind: api.SpanKind.PRODUCER,
        attributes: {
          "messaging.system": "jt",
          "messaging.operation.type": "send",
          "messaging.destination.name": job.queue,
          "jt.task": job.task,
        },
      });
      const active = api.trace.setSpan(api.context.active(), span);
      api.propagation.inject(active, job.meta);
      try {
        const enqueued = await api.context.with(active, enqueue);
        span.setAttribute("messaging.message.id", String(enqueued.id));
        return enqueued;
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    async aroundPerform(job: PerformingJob, _ctx: unknown, perform: () => Promise<unknown>) {
      const parent = api.propagation.extract(api.ROOT_CONTEXT, { ...job.meta });
      const span = tracer().startSpan(
        `perform ${job.task}`,
        {
          kind: api.SpanKind.CONSUMER,
          attributes: {
            "messaging.system": "jt",
            "messaging.operation.type": "process",
            "messaging.destination.name": job.queue,
            "messaging.message.id": String(job.id),
            "jt.task": job.task,
            "jt.job.attempt": job.attempt,
          },
        },
        parent,
      );
      try {
        return await api.context.with(api.trace.setSpan(parent, span), perform);
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  };
  return { hooks, source: "jobs.openTelemetry" };
}
