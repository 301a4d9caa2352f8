/**
 * Cron schedules with an injected clock: every "now" is a plain number, no timers, no sleeps.
 * DST dates: Europe/Paris springs forward 2025-03-30 02:00 → 03:00 and falls back 2025-10-26
 * 03:00 → 02:00; America/New_York springs forward 2025-03-09 02:00 → 03:00 and falls back
 * 2025-11-02 02:00 → 01:00.
 */
import { Cron } from "croner";
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  crontabLines,
  dueSlots,
  LATE_TICK_MS,
  nextRun,
  previousRun,
  scheduleKey,
  validateSchedule,
  type Schedule,
} from "../../src/jobs/clock.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Epoch ms of a UTC wall time (month 1-12). */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** A schedule of reports:daily; `null` for no time zone (the process's local time). */
function sched(cron: string, tz: string | null = "UTC", catchUpMs = 0): Schedule {
  return { task: "reports:daily", cron, tz: tz ?? undefined, catchUpMs };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Simulated workers over days tick every ~2 minutes (an odd step, to land anywhere in a minute)
 * with a catch-up window that covers the gap between ticks. */
const COARSE_STEP = 119_993;
const COARSE_CATCH_UP = 5 * MINUTE;

/**
 * A worker ticking every `stepMs` from `from` to `to`, keeping the high-water mark as the store
 * does (the newest enqueued slot, or the mark). Returns every slot enqueued, in order.
 */
function simulate(s: Schedule, from: number, to: number, stepMs: number, last: number | null = null): number[] {
  const enqueued: number[] = [];
  for (let now = from; now <= to; now += stepMs) {
    const { enqueue, mark } = dueSlots(s, last, now);
    enqueued.push(...enqueue);
    for (const slot of [...enqueue, ...(mark === null ? [] : [mark])]) last = last === null ? slot : Math.max(last, slot);
  }
  return enqueued;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("scheduleKey", () => {
  test("task, cron and tz identify a schedule", () => {
    const key = scheduleKey(sched("0 3 * * *", "Europe/Paris"));
    expect(key).toBe('["reports:daily","0 3 * * *","Europe/Paris"]');
    expect(scheduleKey(sched("0 4 * * *", "Europe/Paris"))).not.toBe(key); // a changed cron is a new schedule
    expect(scheduleKey(sched("0 3 * * *", "UTC"))).not.toBe(key);
    expect(scheduleKey(sched("0 3 * * *", null))).not.toBe(scheduleKey(sched("0 3 * * *", "UTC"))); // local time is not UTC
    expect(scheduleKey({ ...sched("0 3 * * *", "Europe/Paris"), task: "reports:weekly" })).not.toBe(key);
  });

  test("ignores the catch-up window and reformatting", () => {
    const key = scheduleKey(sched("0 3 * * *", "Europe/Paris"));
    expect(scheduleKey(sched("0 3 * * *", "Europe/Paris", HOUR))).toBe(key);
    expect(scheduleKey(sched("  0  3 *\t* * ", "Europe/Paris"))).toBe(key);
  });
});

describe("validateSchedule", () => {
  test("accepts 5 and 6 fields, nicknames and croner's extensions, with or without a time zone", () => {
    for (const [cron, tz] of [
      ["0 3 * * *", undefined],
      ["0 3 * * *", "Europe/Paris"],
      ["*/10 * * * * *", "America/New_York"],
      ["0 0 9 * * MON-FRI", "UTC"],
      ["@daily", undefined],
      ["0 0 L * *", "Asia/Tokyo"],
    ] as const) {
      expect(validateSchedule(cron, tz), `${cron} ${tz}`).toBeUndefined();
    }
  });

  test("says why an expression is invalid", () => {
    expect(validateSchedule("* * * *", undefined)).toMatch(/^invalid cron expression "\* \* \* \*": .*five, six, or seven/);
    expect(validateSchedule("61 * * * *", undefined)).toMatch(/Invalid value for minute: 61/);
    expect(validateSchedule("0 0 0 1 1 * 2030", undefined)).toMatch(/requires exactly 5 or 6 parts/); // no year field
    expect(validateSchedule("*/0 * * * *", undefined)).toMatch(/illegal stepping/);
    expect(validateSchedule("", undefined)).toMatch(/^invalid cron expression ""/);
    expect(validateSchedule("every day", undefined)).toMatch(/^invalid cron expression/);
    expect(validateSchedule("@reboot", undefined)).toMatch(/@reboot/);
  });

  test("an expression that can never fire is invalid", () => {
    expect(validateSchedule("0 0 30 2 *", "UTC")).toBe('cron expression "0 0 30 2 *" never fires');
  });

  test("says why a time zone is invalid", () => {
    expect(validateSchedule("0 3 * * *", "Mars/Olympus")).toBe(
      'unknown time zone "Mars/Olympus" (use an IANA name like "Europe/Paris" or "UTC")',
    );
    expect(validateSchedule("0 3 * * *", "")).toMatch(/^unknown time zone ""/);
    expect(validateSchedule("0 3 * * *", "+01:00")).toMatch(/^unknown time zone/);
  });
});

describe("nextRun and previousRun at a minute boundary", () => {
  const s = sched("* * * * *");
  const slot = utc(2025, 1, 1, 12, 0);

  test("nextRun is strictly after", () => {
    expect(nextRun(s, slot - 1)).toBe(slot);
    expect(nextRun(s, slot)).toBe(slot + MINUTE);
    expect(nextRun(s, slot + 1)).toBe(slot + MINUTE);
  });

  test("previousRun is at or before", () => {
    expect(previousRun(s, slot - 1)).toBe(slot - MINUTE);
    expect(previousRun(s, slot)).toBe(slot);
    expect(previousRun(s, slot + 1)).toBe(slot);
    expect(previousRun(s, slot + MINUTE - 1)).toBe(slot);
  });

  test("per second, including a slot in the same second as the reference", () => {
    const everySecond = sched("* * * * * *");
    expect(previousRun(everySecond, slot)).toBe(slot);
    expect(previousRun(everySecond, slot + 999)).toBe(slot);
    expect(previousRun(everySecond, slot - 1)).toBe(slot - SECOND);
    expect(nextRun(everySecond, slot + 999)).toBe(slot + SECOND);
  });

  test("null when the schedule has no run on that side", () => {
    expect(previousRun(sched("0 3 * * *"), new Date("0001-01-01T00:00:30Z").getTime())).toBeNull();
  });
});

describe("dueSlots at a minute boundary", () => {
  const s = sched("* * * * *");
  const last = utc(2025, 1, 1, 12, 0);
  const slot = last + MINUTE;

  test("1 ms before the slot: nothing", () => {
    expect(dueSlots(s, last, slot - 1)).toEqual({ enqueue: [], mark: null });
  });

  test("a slot at exactly now is due", () => {
    expect(dueSlots(s, last, slot)).toEqual({ enqueue: [slot], mark: null });
  });

  test("1 ms after: still due, once", () => {
    expect(dueSlots(s, last, slot + 1)).toEqual({ enqueue: [slot], mark: null });
    expect(dueSlots(s, slot, slot + 1)).toEqual({ enqueue: [], mark: null }); // after the store recorded it
  });

  test("a tick a few seconds late is late, not missed, even with catchUpMs 0", () => {
    expect(dueSlots(s, last, slot + LATE_TICK_MS)).toEqual({ enqueue: [slot], mark: null });
    expect(dueSlots(s, last, slot + LATE_TICK_MS + 1)).toEqual({ enqueue: [], mark: slot });
  });

  test("slots are exact instants: whole seconds, no milliseconds from now", () => {
    const { enqueue } = dueSlots(sched("*/7 * * * * *", "UTC", MINUTE), last, last + MINUTE + 123);
    expect(enqueue.every((t) => t % SECOND === 0)).toBe(true);
  });

  test("a high-water mark ahead of now (another worker's clock runs fast) enqueues nothing", () => {
    expect(dueSlots(s, slot + 5 * MINUTE, slot)).toEqual({ enqueue: [], mark: null });
  });
});

describe("first sight", () => {
  const s = sched("* * * * *", "UTC", HOUR);
  const t = utc(2025, 1, 1, 12, 0);

  test("never fires for a past slot: marks the newest one, so the next one fires", () => {
    expect(dueSlots(s, null, t + 30 * SECOND)).toEqual({ enqueue: [], mark: t });
    expect(dueSlots(s, t, t + 30 * SECOND)).toEqual({ enqueue: [], mark: null });
    expect(dueSlots(s, t, t + MINUTE)).toEqual({ enqueue: [t + MINUTE], mark: null });
  });

  test("a slot at exactly now is past for a schedule seen for the first time", () => {
    expect(dueSlots(s, null, t)).toEqual({ enqueue: [], mark: t });
  });

  test("a daily schedule seen in the afternoon waits for tomorrow's slot, whatever the catch-up window", () => {
    const daily = sched("0 3 * * *", "UTC", 7 * DAY);
    const now = utc(2025, 6, 10, 15, 0);
    expect(dueSlots(daily, null, now)).toEqual({ enqueue: [], mark: utc(2025, 6, 10, 3) });
    expect(simulate(daily, now, utc(2025, 6, 12, 0), 37 * MINUTE)).toEqual([utc(2025, 6, 11, 3)]);
  });

  test("with no slot before now, the mark is now", () => {
    const now = new Date("0001-01-01T00:00:30Z").getTime();
    expect(dueSlots(sched("0 3 * * *"), null, now)).toEqual({ enqueue: [], mark: now });
  });
});

describe("catch-up windows", () => {
  // A daily job at 03:00 UTC; the last run was on the 1st, no worker ran until the 4th.
  const daily = (catchUpMs: number) => sched("0 3 * * *", "UTC", catchUpMs);
  const last = utc(2025, 1, 1, 3);
  const day = (d: number, h = 3, mi = 0, s = 0, ms = 0) => utc(2025, 1, d, h, mi, s, ms);

  test("0: missed slots are skipped and the mark moves past them", () => {
    expect(dueSlots(daily(0), last, day(4, 9))).toEqual({ enqueue: [], mark: day(4) });
    expect(dueSlots(daily(0), last, day(4, 3, 0, 5))).toEqual({ enqueue: [day(4)], mark: day(4) }); // today's, a late tick
    expect(dueSlots(daily(0), last, day(4, 2, 59))).toEqual({ enqueue: [], mark: day(3) });
  });

  test("1 minute: a slot within the last minute runs, older ones are skipped", () => {
    expect(dueSlots(daily(MINUTE), last, day(4, 3, 0, 59))).toEqual({ enqueue: [day(4)], mark: day(4) });
    expect(dueSlots(daily(MINUTE), last, day(4, 3, 1))).toEqual({ enqueue: [day(4)], mark: day(4) }); // exactly at the window's start
    expect(dueSlots(daily(MINUTE), last, day(4, 3, 1, 0, 1))).toEqual({ enqueue: [], mark: day(4) });
  });

  test("1 hour, per-minute schedule: each missed slot inside the hour runs once, oldest first", () => {
    const s = sched("* * * * *", "UTC", HOUR);
    const t = utc(2025, 1, 1, 12);
    // Down for 30 minutes: every missed slot is inside the window, nothing to mark.
    const short = dueSlots(s, t - 30 * MINUTE, t + 500);
    expect(short.enqueue).toEqual(Array.from({ length: 30 }, (_, i) => t - 29 * MINUTE + i * MINUTE));
    expect(short.mark).toBeNull();
    // Down for 3 hours: the last hour's 61 slots (both ends included) run, the rest is skipped.
    const long = dueSlots(s, t - 3 * HOUR, t);
    expect(long.enqueue).toHaveLength(61);
    expect(long.enqueue[0]).toBe(t - HOUR);
    expect(long.enqueue.at(-1)).toBe(t);
    expect(long.mark).toBe(t);
    // The window's start is inclusive to the millisecond.
    expect(dueSlots(s, t - 3 * HOUR, t + 1).enqueue[0]).toBe(t - HOUR + MINUTE);
  });

  test("1 hour, hourly schedule: a window holding one missed slot", () => {
    const s = sched("0 * * * *", "UTC", HOUR);
    const t = utc(2025, 1, 1, 12, 30);
    expect(dueSlots(s, utc(2025, 1, 1, 9), t)).toEqual({ enqueue: [utc(2025, 1, 1, 12)], mark: utc(2025, 1, 1, 12) });
    expect(dueSlots(s, utc(2025, 1, 1, 11), t)).toEqual({ enqueue: [utc(2025, 1, 1, 12)], mark: null });
  });

  test("a window longer than the outage replays every missed slot once", () => {
    expect(dueSlots(daily(7 * DAY), last, day(4, 9))).toEqual({ enqueue: [day(2), day(3), day(4)], mark: null });
  });

  test("recording what was returned makes the next call a no-op (every worker sees the same answer)", () => {
    const first = dueSlots(daily(2 * DAY), last, day(4, 9));
    expect(first).toEqual({ enqueue: [day(3), day(4)], mark: day(4) });
    expect(dueSlots(daily(2 * DAY), day(4), day(4, 9))).toEqual({ enqueue: [], mark: null });
  });

  test("a negative or NaN window counts as 0", () => {
    expect(dueSlots(daily(-HOUR), last, day(4, 9))).toEqual({ enqueue: [], mark: day(4) });
    expect(dueSlots(daily(Number.NaN), last, day(4, 9))).toEqual({ enqueue: [], mark: day(4) });
  });
});

describe("per-second schedules", () => {
  const t = utc(2025, 1, 1, 12);

  test("every second", () => {
    const s = sched("* * * * * *", "UTC", MINUTE);
    expect(dueSlots(s, t, t + 3 * SECOND + 500)).toEqual({ enqueue: [t + SECOND, t + 2 * SECOND, t + 3 * SECOND], mark: null });
    expect(dueSlots(s, t + 3 * SECOND, t + 3 * SECOND + 999)).toEqual({ enqueue: [], mark: null });
  });

  test("every 15 seconds, ticking every 400 ms for two minutes: each slot once, in order", () => {
    const s = sched("*/15 * * * * *", "UTC", 0);
    const slots = simulate(s, t + 1, t + 2 * MINUTE + 1, 400);
    expect(slots.map(iso)).toEqual(Array.from({ length: 8 }, (_, i) => iso(t + (i + 1) * 15 * SECOND)));
  });

  test("a seconds field in a time zone", () => {
    expect(nextRun(sched("30 0 3 * * *", "Europe/Paris"), utc(2025, 1, 1))).toBe(utc(2025, 1, 1, 2, 0, 30));
  });
});

describe("a stale high-water mark far in the past", () => {
  const s = (catchUpMs: number) => sched("* * * * * *", "UTC", catchUpMs);
  const now = utc(2025, 1, 8, 12);
  const weekAgo = now - 7 * DAY;

  /** croner walks the calendar once per nextRun/previousRuns call: count them. */
  function croneCalls(run: () => void): number {
    const next = vi.spyOn(Cron.prototype, "nextRun");
    const previous = vi.spyOn(Cron.prototype, "previousRuns");
    run();
    const calls = next.mock.calls.length + previous.mock.calls.length;
    next.mockRestore();
    previous.mockRestore();
    return calls;
  }

  test("a week-old mark on a per-second schedule walks only the window, not 600k slots", () => {
    let result: ReturnType<typeof dueSlots> | undefined;
    const calls = croneCalls(() => {
      result = dueSlots(s(MINUTE), weekAgo, now);
    });
    expect(result?.enqueue).toHaveLength(61);
    expect(result?.enqueue[0]).toBe(now - MINUTE);
    expect(result?.mark).toBe(now);
    expect(calls).toBeLessThanOrEqual(61 + 3);
  });

  test("with catchUpMs 0 only the late-tick grace is walked", () => {
    let result: ReturnType<typeof dueSlots> | undefined;
    const calls = croneCalls(() => {
      result = dueSlots(s(0), weekAgo, now + 250);
    });
    expect(result?.enqueue).toEqual(Array.from({ length: LATE_TICK_MS / SECOND }, (_, i) => now - LATE_TICK_MS + (i + 1) * SECOND));
    expect(result?.mark).toBe(now);
    expect(calls).toBeLessThanOrEqual(LATE_TICK_MS / SECOND + 3);
  });

  test("an hour's window of a per-second schedule: 3,601 slots, one call each", () => {
    let result: ReturnType<typeof dueSlots> | undefined;
    const calls = croneCalls(() => {
      result = dueSlots(s(HOUR), weekAgo, now);
    });
    expect(result?.enqueue).toHaveLength(3_601);
    expect(calls).toBeLessThanOrEqual(3_601 + 3);
  });

  test("a years-old mark on a daily schedule", () => {
    const daily = sched("0 3 * * *", "Europe/Paris", HOUR);
    const calls = croneCalls(() => {
      expect(dueSlots(daily, utc(2015, 1, 1, 2), utc(2025, 1, 8, 12))).toEqual({ enqueue: [], mark: utc(2025, 1, 8, 2) });
    });
    expect(calls).toBeLessThanOrEqual(3);
  });
});

describe("time zones", () => {
  test("0 3 * * * in Europe/Paris and in UTC are different instants", () => {
    const winter = utc(2025, 1, 15, 12);
    expect(nextRun(sched("0 3 * * *", "UTC"), winter)).toBe(utc(2025, 1, 16, 3));
    expect(nextRun(sched("0 3 * * *", "Europe/Paris"), winter)).toBe(utc(2025, 1, 16, 2)); // CET, UTC+1
    const summer = utc(2025, 7, 15, 12);
    expect(nextRun(sched("0 3 * * *", "UTC"), summer)).toBe(utc(2025, 7, 16, 3));
    expect(nextRun(sched("0 3 * * *", "Europe/Paris"), summer)).toBe(utc(2025, 7, 16, 1)); // CEST, UTC+2
  });
});

describe("DST: spring forward (a local time that doesn't exist)", () => {
  // croner (after Vixie cron): a fixed-time schedule (one second, minute and hour) whose time falls
  // in the gap runs once, as soon as the clock has jumped (03:00 local); never twice, never skipped.
  test("Europe/Paris, 02:30 daily on 2025-03-30: runs once, at 03:00 CEST", () => {
    const s = sched("30 2 * * *", "Europe/Paris", COARSE_CATCH_UP);
    const slots = simulate(s, utc(2025, 3, 28, 12), utc(2025, 4, 1, 12), COARSE_STEP);
    expect(slots.map(iso)).toEqual([
      "2025-03-29T01:30:00.000Z", // 02:30 CET
      "2025-03-30T01:00:00.000Z", // 02:30 doesn't exist: 03:00 CEST
      "2025-03-31T00:30:00.000Z", // 02:30 CEST
      "2025-04-01T00:30:00.000Z",
    ]);
  });

  test("America/New_York, 02:30 daily on 2025-03-09: runs once, at 03:00 EDT", () => {
    const s = sched("30 2 * * *", "America/New_York", COARSE_CATCH_UP);
    const slots = simulate(s, utc(2025, 3, 8, 12), utc(2025, 3, 10, 12), COARSE_STEP);
    expect(slots.map(iso)).toEqual(["2025-03-09T07:00:00.000Z", "2025-03-10T06:30:00.000Z"]);
  });

  test("an interval schedule (a list of hours) skips the time that doesn't exist", () => {
    const s = sched("30 2,14 * * *", "Europe/Paris", COARSE_CATCH_UP);
    const slots = simulate(s, utc(2025, 3, 29, 12), utc(2025, 3, 30, 23), COARSE_STEP);
    expect(slots.map(iso)).toEqual(["2025-03-29T13:30:00.000Z", "2025-03-30T12:30:00.000Z"]);
  });

  test("every 30 minutes through the gap: no slot in it, none twice", () => {
    const s = sched("*/30 * * * *", "Europe/Paris", 2 * MINUTE);
    const slots = simulate(s, utc(2025, 3, 30, 0, 10), utc(2025, 3, 30, 2, 10), 7_001);
    // 01:30 CET, then 03:00, 03:30, 04:00 CEST: wall clock 02:00 and 02:30 never happen.
    expect(slots.map(iso)).toEqual([
      "2025-03-30T00:30:00.000Z",
      "2025-03-30T01:00:00.000Z",
      "2025-03-30T01:30:00.000Z",
      "2025-03-30T02:00:00.000Z",
    ]);
  });
});

describe("DST: fall back (a local time that happens twice)", () => {
  // croner: a fixed-time schedule runs once, at the first occurrence; an interval schedule runs on
  // both, since they are different instants an hour apart.
  test("America/New_York, 01:30 daily on 2025-11-02: fires once, at 01:30 EDT", () => {
    const s = sched("30 1 * * *", "America/New_York", COARSE_CATCH_UP);
    const slots = simulate(s, utc(2025, 10, 31, 12), utc(2025, 11, 3, 12), COARSE_STEP);
    expect(slots.map(iso)).toEqual([
      "2025-11-01T05:30:00.000Z", // 01:30 EDT
      "2025-11-02T05:30:00.000Z", // 01:30 EDT, the first of the two
      "2025-11-03T06:30:00.000Z", // 01:30 EST
    ]);
    // Ticking every 7 s through the repeated hour, after the day before's run: the first 01:30 only.
    expect(simulate(s, utc(2025, 11, 2, 4), utc(2025, 11, 2, 8), 7_001, utc(2025, 11, 1, 5, 30)).map(iso)).toEqual([
      "2025-11-02T05:30:00.000Z",
    ]);
    // At the second 01:30 (EST, 06:30Z), with the first recorded: nothing.
    expect(dueSlots(s, utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 6, 30))).toEqual({ enqueue: [], mark: null });
    expect(dueSlots(s, utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 6, 30, 0, 1))).toEqual({ enqueue: [], mark: null });
  });

  test("a schedule first seen between the two 01:30s does not fire at the second", () => {
    const s = sched("30 1 * * *", "America/New_York", 2 * MINUTE);
    const slots = simulate(s, utc(2025, 11, 2, 6), utc(2025, 11, 2, 8), 7_001);
    expect(slots).toEqual([]);
    expect(nextRun(s, utc(2025, 11, 2, 6))).toBe(utc(2025, 11, 3, 6, 30));
  });

  test("Europe/Paris, 02:30 daily on 2025-10-26: fires once, at 02:30 CEST", () => {
    const s = sched("30 2 * * *", "Europe/Paris", COARSE_CATCH_UP);
    const slots = simulate(s, utc(2025, 10, 25, 12), utc(2025, 10, 27, 12), COARSE_STEP);
    expect(slots.map(iso)).toEqual(["2025-10-26T00:30:00.000Z", "2025-10-27T01:30:00.000Z"]);
  });

  test("every 30 minutes through the repeated hour: each instant once, in order", () => {
    const s = sched("*/30 * * * *", "America/New_York", 2 * MINUTE);
    const slots = simulate(s, utc(2025, 11, 2, 4, 10), utc(2025, 11, 2, 7, 10), 7_001);
    expect(slots.map(iso)).toEqual([
      "2025-11-02T04:30:00.000Z", // 00:30 EDT
      "2025-11-02T05:00:00.000Z", // 01:00 EDT
      "2025-11-02T05:30:00.000Z", // 01:30 EDT
      "2025-11-02T06:00:00.000Z", // 01:00 EST
      "2025-11-02T06:30:00.000Z", // 01:30 EST
      "2025-11-02T07:00:00.000Z", // 02:00 EST
    ]);
  });
});

describe("crontabLines", () => {
  test("a 5-field expression", () => {
    expect(crontabLines(sched("0 3 * * *", null), "/app")).toEqual(["CRON_TZ=UTC", "0 3 * * * cd /app && jt reports:daily"]);
  });

  test("a time zone adds a CRON_TZ line before the entry", () => {
    expect(crontabLines(sched("0 3 * * *", "Europe/Paris"), "/app")).toEqual([
      "CRON_TZ=Europe/Paris",
      "0 3 * * * cd /app && jt reports:daily",
    ]);
  });

  test("6 fields with the seconds at 0 drop them", () => {
    expect(crontabLines(sched("0 0 3 * * *", "UTC"), "/app")).toEqual(["CRON_TZ=UTC", "0 3 * * * cd /app && jt reports:daily"]);
  });

  test("any other seconds field cannot be expressed: a comment says why", () => {
    const lines = crontabLines(sched("*/10 * * * * *", "Europe/Paris"), "/app");
    expect(lines.every((line) => line.startsWith("#"))).toBe(true);
    expect(lines.join("\n")).toMatch(/"\*\/10 \* \* \* \* \*" \(Europe\/Paris\) fires on a seconds field, which crontab cannot express/);
    expect(lines.join("\n")).toMatch(/jt jobs:work/);
    expect(crontabLines(sched("30 0 3 * * *", null), "/app")[0]).toMatch(/^# reports:daily: .*seconds field/);
  });

  test("nicknames and names pass through; croner-only syntax gets a warning comment", () => {
    expect(crontabLines(sched("@daily", null), "/app")).toEqual(["CRON_TZ=UTC", "@daily cd /app && jt reports:daily"]);
    expect(crontabLines(sched("0 9 * JUL MON-FRI", null), "/app")).toEqual([
      "CRON_TZ=UTC",
      "0 9 * JUL MON-FRI cd /app && jt reports:daily",
    ]);
    const last = crontabLines(sched("0 3 L * *", null), "/app");
    expect(last).toHaveLength(3);
    expect(last[0]).toMatch(/^# reports:daily: "0 3 L \* \*" uses croner's/);
    expect(crontabLines(sched("0 3 * * FRI#2", null), "/app")[0]).toMatch(/^#/);
  });

  test("a project root and command that need quoting, and crontab's special %", () => {
    expect(crontabLines(sched("0 3 * * *", null), "/srv/my app's", "npx jt")).toEqual([
      "CRON_TZ=UTC",
      `0 3 * * * cd '/srv/my app'\\''s' && npx jt reports:daily`,
    ]);
    expect(crontabLines(sched("0 3 * * *", null), "/srv/100%")).toEqual(["CRON_TZ=UTC", "0 3 * * * cd /srv/100\\% && jt reports:daily"]);
  });
});
