/** Which test runner a project uses, from its package.json, for the tests `jt generate` writes. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type TestFramework = "vitest" | "jest" | "node:test";

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/** vitest or Jest among its dependencies, or `node --test` in its test script; undefined when none. */
export function detectTestFramework(root: string): TestFramework | undefined {
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;
  } catch {
    return undefined;
  }
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  if ("vitest" in deps) return "vitest";
  if ("jest" in deps) return "jest";
  if (/\bnode\b[^&|;]*\s--test\b/.test(pkg.scripts?.test ?? "")) return "node:test";
  return undefined;
}

/** Where tests go: test/, or tests/ when the project has that and no test/. */
export function testsDir(root: string): string {
  return !existsSync(join(root, "test")) && existsSync(join(root, "tests")) ? join(root, "tests") : join(root, "test");
}

/** How to run one test file with it, for the line `jt generate` prints. */
export function runCommand(framework: TestFramework, file: string): string {
  if (framework === "vitest") return `npx vitest run ${file}`;
  // jt's testing helpers are ES modules, which Jest loads only with Node's VM modules.
  if (framework === "jest") return `NODE_OPTIONS=--experimental-vm-modules npx jest ${file}`;
  return `node --import tsx --test ${file}`;
}

/** The test file's imports and its assertions, in the framework's words. */
export function testPrelude(framework: TestFramework, helpers: readonly string[]): string {
  const testing = `import { ${helpers.join(", ")} } from "jobs-and-tasks/testing";\n`;
  if (framework === "vitest") return `${testing}import { describe, expect, test } from "vitest";\n`;
  if (framework === "jest") return testing;
  return `import assert from "node:assert/strict";\nimport { describe, test } from "node:test";\n${testing}`;
}

/** `expect(actual).toEqual(expected)`, or node:test's `assert.deepEqual`. */
export function assertEqual(framework: TestFramework, actual: string, expected: string): string {
  return framework === "node:test" ? `assert.deepEqual(${actual}, ${expected});` : `expect(${actual}).toEqual(${expected});`;
}

/** `expect(text).toContain(part)`, or node:test's `assert.ok` of it. */
export function assertContains(framework: TestFramework, text: string, part: string): string {
  return framework === "node:test" ? `assert.ok(${text}.includes(${part}), ${text});` : `expect(${text}).toContain(${part});`;
}
