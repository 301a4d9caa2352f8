/** A job's errors split at each jobs:retry, from the attempt numbers alone (issue 10 §2). */
import { describe, expect, test } from "vitest";
import { attemptRounds } from "../../src/jobs/format.js";
import type { Job, JobState } from "../../src/jobs/store/store.js";

function job(state: JobState, attempts: number, errorAttempts: number[]): Job {
  const errors = errorAttempts.map((attempt, i) => ({ attempt, at: i, message: `e${i}`, stack: undefined }));
  return {
    id: 1,
    task: "t",
    args: [],
    queue: "default",
    priority: 0,
    state,
    runAt: 0,
    attempts,
    maxAttempts: 3,
    lockedBy: null,
    lockedUntil: null,
    uniqueKey: null,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: null,
    errors,
    startedAt: null,
    worker: null,
    progress: null,
    result: null,
    meta: {},
  };
}
const shape = (j: Job) => {
  const { earlier, current } = attemptRounds(j);
  return { earlier: earlier.map((round) => round.map((e) => e.attempt)), current: current.map((e) => e.attempt) };
};

describe("attemptRounds", () => {
  test.each<[string, Job, { earlier: number[][]; current: number[] }]>([
    ["never failed", job("completed", 1, []), { earlier: [], current: [] }],
    ["failed twice, waiting for its third attempt", job("queued", 2, [1, 2]), { earlier: [], current: [1, 2] }],
    ["running its second attempt", job("running", 2, [1]), { earlier: [], current: [1] }],
    ["completed on its second attempt", job("completed", 2, [1]), { earlier: [], current: [1] }],
    ["failed for good", job("failed", 3, [1, 2, 3]), { earlier: [], current: [1, 2, 3] }],
    ["retried after failing for good", job("queued", 0, [1, 2, 3]), { earlier: [[1, 2, 3]], current: [] }],
    ["retried while waiting, now running", job("running", 1, [1]), { earlier: [[1]], current: [] }],
    ["retried, then completed at once", job("completed", 1, [1, 2, 3]), { earlier: [[1, 2, 3]], current: [] }],
    ["retried, failed once more, waiting", job("queued", 1, [1, 2, 3, 1]), { earlier: [[1, 2, 3]], current: [1] }],
    [
      "retried twice",
      job("failed", 3, [1, 2, 3, 1, 2, 3, 1, 2, 3]),
      {
        earlier: [
          [1, 2, 3],
          [1, 2, 3],
        ],
        current: [1, 2, 3],
      },
    ],
    ["an attempt lost to a crash leaves a gap", job("failed", 3, [1, 3]), { earlier: [], current: [1, 3] }],
  ])("%s", (_, j, expected) => expect(shape(j)).toEqual(expected));
});
