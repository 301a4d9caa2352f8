import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { recordingEnvReads } from "../../src/load/env-reads.js";

describe("recordingEnvReads", () => {
  test("records the variables read (set or not) and puts process.env back", async () => {
    const env = process.env;
    process.env.JT_TEST_SET = "yes";
    const { result, env: read } = await recordingEnvReads(async () => `${process.env.JT_TEST_SET}-${"JT_TEST_UNSET" in process.env}`);
    expect(result).toBe("yes-false");
    expect(read).toEqual({ JT_TEST_SET: "yes", JT_TEST_UNSET: null });
    expect(process.env).toBe(env);
    delete process.env.JT_TEST_SET;
  });

  test("a child process started while recording (esbuild's service) copies the environment without it counting as read", async () => {
    process.env.JT_TEST_SET = "yes";
    const { result, env: read } = await recordingEnvReads(async () => {
      const output = execFileSync(process.execPath, ["-e", "process.stdout.write(process.env.JT_TEST_SET)"], { encoding: "utf8" });
      return `${output}-${process.env.JT_TEST_FEATURE ?? "unset"}`;
    });
    expect(result).toBe("yes-unset");
    expect(read).toEqual({ JT_TEST_FEATURE: null });
    delete process.env.JT_TEST_SET;
  });

  test("overlapping recordings each see the reads made while they are active; process.env comes back after the last", async () => {
    const env = process.env;
    let finishFirst!: () => void;
    const firstMayEnd = new Promise<void>((resolve) => (finishFirst = resolve));
    const first = recordingEnvReads(async () => {
      void process.env.JT_TEST_A;
      await firstMayEnd;
    });
    const second = recordingEnvReads(async () => {
      void process.env.JT_TEST_B;
      finishFirst();
      await first;
      void process.env.JT_TEST_C;
    });
    const [a, b] = await Promise.all([first, second]);
    expect(a.env).toEqual({ JT_TEST_A: null, JT_TEST_B: null });
    expect(b.env).toEqual({ JT_TEST_B: null, JT_TEST_C: null });
    expect(process.env).toBe(env);
  });

  test("a failing run still puts process.env back", async () => {
    const env = process.env;
    await expect(recordingEnvReads(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(process.env).toBe(env);
  });
});
