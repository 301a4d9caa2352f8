/**
 * jt against real rake, side by side (issue 13): test/rake-compare/compare.mjs runs each scenario
 * of test/rake-compare/scenarios.mjs under both and fails on any difference not listed there as
 * deliberate. Runs when rake is installed (.ci/run installs Debian's rake).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "./helpers/project.js";

const hasRake = spawnSync("rake", ["--version"]).status === 0;

describe.skipIf(!hasRake)("jt and rake, side by side", () => {
  test("every scenario prints the same (after rake → jt and locations), or differs only as listed", { timeout: 120_000 }, () => {
    const result = spawnSync(process.execPath, [join(REPO_ROOT, "test", "rake-compare", "compare.mjs")], { encoding: "utf8" });
    expect(result.stdout, result.stderr).toMatch(/^\d+ scenarios, 0 with unexplained differences$/m);
    expect(result.status).toBe(0);
  });
});
