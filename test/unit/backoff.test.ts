/**
 * Retry delays: Sidekiq's polynomial formula (the default), exponential with jitter and a cap,
 * fixed delays. Randomness is injected, so every expectation is exact.
 */
import { describe, expect, test } from "vitest";
import { retryDelayMs, validateBackoff, type Backoff } from "../../src/shared/backoff.js";

const never = () => 0; // the smallest draw
const always = () => 0.999_999_9; // the largest draw below 1
const half = () => 0.5;

describe("polynomial (Sidekiq's formula, the default)", () => {
  test("without jitter: count⁴ + 15 s, count = runs so far − 1", () => {
    // Sidekiq's documented series: 15, 16, 31, 96, 271 … seconds.
    expect([1, 2, 3, 4, 5].map((runs) => retryDelayMs("polynomial", runs, never))).toEqual([15_000, 16_000, 31_000, 96_000, 271_000]);
    expect(retryDelayMs("polynomial", 11, never)).toBe((10 ** 4 + 15) * 1000);
  });

  test("is the default when no backoff is set", () => {
    for (const runs of [1, 2, 7, 25]) {
      for (const random of [never, half, always])
        expect(retryDelayMs(undefined, runs, random)).toBe(retryDelayMs("polynomial", runs, random));
    }
  });

  test("jitter is a whole number of seconds in [0, 10·(count + 1))", () => {
    expect(retryDelayMs("polynomial", 1, always)).toBe((15 + 9) * 1000);
    expect(retryDelayMs("polynomial", 3, always)).toBe((31 + 29) * 1000);
    expect(retryDelayMs("polynomial", 3, half)).toBe((31 + 15) * 1000);
    expect(retryDelayMs("polynomial", 25, always)).toBe((24 ** 4 + 15 + 249) * 1000);
  });

  test("an injected random that returns 1 (or strays outside [0, 1)) stays in range", () => {
    expect(retryDelayMs("polynomial", 1, () => 1)).toBe(24_000);
    expect(retryDelayMs("polynomial", 1, () => 7)).toBe(24_000);
    expect(retryDelayMs("polynomial", 1, () => -3)).toBe(15_000);
  });

  test("with Math.random: whole seconds within the formula's bounds", () => {
    for (let i = 0; i < 200; i++) {
      const ms = retryDelayMs(undefined, 4);
      expect(ms % 1000).toBe(0);
      expect(ms).toBeGreaterThanOrEqual(96_000);
      expect(ms).toBeLessThanOrEqual(96_000 + 39_000);
    }
  });

  test("25 retries span about 20 days, as Sidekiq documents", () => {
    let total = 0;
    for (let runs = 1; runs <= 25; runs++) total += retryDelayMs(undefined, runs, never);
    expect(total / 86_400_000).toBeCloseTo(20.4, 1);
  });
});

describe("exponential", () => {
  test("2^runs seconds, ±10% jitter", () => {
    expect([1, 2, 3, 5, 10].map((runs) => retryDelayMs("exponential", runs, half))).toEqual([2_000, 4_000, 8_000, 32_000, 1_024_000]);
    expect(retryDelayMs("exponential", 5, never)).toBe(28_800);
    expect(retryDelayMs("exponential", 5, () => 1)).toBe(35_200);
    expect(retryDelayMs("exponential", 5, always)).toBeCloseTo(35_200, -1);
  });

  test("capped at an hour, jitter included", () => {
    expect(retryDelayMs("exponential", 11, half)).toBe(2_048_000);
    expect(retryDelayMs("exponential", 12, half)).toBe(3_600_000); // 2^12 s = 68 min
    expect(retryDelayMs("exponential", 12, never)).toBe(3_240_000); // capped retries still spread below the hour
    expect(retryDelayMs("exponential", 12, always)).toBe(3_600_000);
    expect(retryDelayMs("exponential", 11, always)).toBeLessThanOrEqual(3_600_000); // 2048 s + 10% < 1 h
    expect(retryDelayMs("exponential", 5_000, half)).toBe(3_600_000); // 2 ** 5000 is Infinity
  });

  test("whole milliseconds", () => {
    expect(Number.isInteger(retryDelayMs("exponential", 1, () => 0.123_456_789))).toBe(true);
  });
});

describe("a fixed number of seconds", () => {
  test("the same delay after every run, whatever the draw", () => {
    for (const runs of [1, 2, 50]) {
      expect(retryDelayMs(30, runs, never)).toBe(30_000);
      expect(retryDelayMs(30, runs, always)).toBe(30_000);
    }
    expect(retryDelayMs(0, 3)).toBe(0);
    expect(retryDelayMs(1.5, 1)).toBe(1_500);
  });
});

describe("bad input", () => {
  test("runsSoFar is a whole number of at least 1", () => {
    for (const runs of [0, -1, 1.5, Number.NaN]) expect(() => retryDelayMs(undefined, runs)).toThrow(RangeError);
  });

  test("a backoff that slipped past validation throws rather than guessing", () => {
    expect(() => retryDelayMs("linear" as Backoff, 1)).toThrow(/polynomial/);
    expect(() => retryDelayMs(-5, 1)).toThrow(RangeError);
  });
});

describe("validateBackoff", () => {
  test("accepts the two names and a finite number of seconds ≥ 0", () => {
    for (const value of ["polynomial", "exponential", 0, 10, 2.5]) expect(validateBackoff(value)).toBeUndefined();
  });

  test("says why anything else is invalid", () => {
    expect(validateBackoff("linear")).toBe('backoff must be "polynomial", "exponential" or a number of seconds, not "linear"');
    expect(validateBackoff("5")).toMatch(/not "5"/);
    expect(validateBackoff(null)).toMatch(/not null$/);
    expect(validateBackoff(undefined)).toMatch(/not undefined/);
    expect(validateBackoff({})).toMatch(/not object/);
    expect(validateBackoff(-1)).toBe("a fixed backoff must be a finite number of seconds ≥ 0, not -1");
    expect(validateBackoff(Number.NaN)).toMatch(/not NaN/);
    expect(validateBackoff(Number.POSITIVE_INFINITY)).toMatch(/not Infinity/);
  });
});
