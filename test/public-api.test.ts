/**
 * The public API is a product: what `import … from "jobs-and-tasks"` gives is pinned here, so a
 * change to it is deliberate. The names (values and types) are listed below; the declarations of
 * the modules they come from are kept in test/api-report/, a file snapshot that a change to any
 * public signature shows as a diff (update it with `npx vitest run test/public-api.test.ts -u`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "./helpers/project.js";

const DIST = join(REPO_ROOT, "dist");

const VALUES = [
  "CommandFailed",
  "ConcurrentFailures",
  "DefinitionError",
  "Discard",
  "EnqueueError",
  "Interrupted",
  "JobHookFailed",
  "JtError",
  "NotConfirmed",
  "Snooze",
  "TaskFailure",
  "UsageError",
  "WaitTimedOut",
  "clearTask",
  "createJobs",
  "dashboard",
  "defineEnvironment",
  "defineJobHooks",
  "desc",
  "directory",
  "enqueue",
  "file",
  "multitask",
  "namespace",
  "rule",
  "task",
  "taskDefined",
];

const TYPES = [
  "App",
  "ArgDefaults",
  "ArgName",
  "CreateJobsOptions",
  "Dashboard",
  "DashboardOptions",
  "EnqueuedJob",
  "EnqueueingJob",
  "EnqueueOptions",
  "EnvironmentContext",
  "EnvironmentDefinition",
  "ErrorMatcher",
  "JobArg",
  "JobHooks",
  "JobProgress",
  "JobsClient",
  "JobState",
  "JobStatus",
  "PauseTarget",
  "PerformHooks",
  "PerformingJob",
  "RuleSource",
  "ScheduleInfo",
  "Sh",
  "ShOptions",
  "ShResult",
  "ShValue",
  "TaskAction",
  "TaskArgs",
  "TaskArgsBase",
  "TaskArgStrings",
  "TaskArgValues",
  "TaskContext",
  "TaskName",
  "Tasks",
  "TaskSpec",
  "TransactionClient",
  "UncheckedTaskName",
];

/** What `import … from "jobs-and-tasks/testing"` gives. */
const TESTING_VALUES = ["runTask", "testJobs"];
const TESTING_TYPES = ["BracketedTaskName", "Drained", "RunTaskOptions", "TaskRun", "TestJob", "TestJobs", "TestJobsOptions"];

/** The names dist/<entry>.d.ts exports, and the modules it exports them from. */
function declaredExports(entry = "index"): { names: string[]; modules: string[] } {
  const text = readFileSync(join(DIST, `${entry}.d.ts`), "utf8");
  const names: string[] = [];
  const modules: string[] = [];
  for (const [, list = "", from = ""] of text.matchAll(/^export (?:type )?\{([^}]*)\} from "([^"]+)";$/gms)) {
    modules.push(from);
    for (const item of list.split(",")) {
      const name = item.trim().replace(/^type /, "");
      if (name !== "") names.push(name);
    }
  }
  return { names: names.sort(), modules: [...new Set(modules)].sort() };
}

describe("the public API", () => {
  test("exports exactly these values", async () => {
    const api = (await import(join(DIST, "index.js"))) as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(VALUES);
  });

  test("declares exactly these values and types", () => {
    expect(declaredExports().names).toEqual([...VALUES, ...TYPES].sort());
  });

  test("the error classes are what jt throws, for instanceof", async () => {
    const api = (await import(join(DIST, "index.js"))) as Record<string, new (...args: never[]) => Error>;
    for (const name of [
      "ConcurrentFailures",
      "DefinitionError",
      "Interrupted",
      "JobHookFailed",
      "NotConfirmed",
      "TaskFailure",
      "UsageError",
      "WaitTimedOut",
    ]) {
      expect(api[name]!.prototype, name).toBeInstanceOf(api.JtError!);
    }
    expect(api.EnqueueError!.prototype).toBeInstanceOf(Error);
    expect(api.CommandFailed!.prototype).toBeInstanceOf(Error);
  });

  test("the declarations it comes from match test/api-report/ (a change to a public signature is a diff there)", async () => {
    await expect(report("index")).toMatchFileSnapshot("./api-report/jobs-and-tasks.d.ts.snap");
  });
});

describe("the testing helpers (jobs-and-tasks/testing)", () => {
  test("export and declare exactly these values and types", async () => {
    const api = (await import(join(DIST, "testing", "index.js"))) as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(TESTING_VALUES);
    expect(declaredExports("testing/index").names).toEqual([...TESTING_VALUES, ...TESTING_TYPES].sort());
  });

  test("the declarations match test/api-report/", async () => {
    await expect(report("testing/index")).toMatchFileSnapshot("./api-report/jobs-and-tasks-testing.d.ts.snap");
  });

  test("package.json exports them as jobs-and-tasks/testing", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    expect(pkg.exports["./testing"]).toEqual({ types: "./dist/testing/index.d.ts", default: "./dist/testing/index.js" });
  });
});

/** The declarations of the modules an entry exports from, one after the other. */
function report(entry: string): string {
  const { modules } = declaredExports(entry);
  const dir = join(DIST, entry, "..");
  return modules
    .map((module) => {
      const file = join(dir, module.replace(/^\.\//, "").replace(/\.js$/, ".d.ts"));
      return `// ${module}\n${readFileSync(file, "utf8")
        .replace(/\n\/\/# sourceMappingURL=.*$/s, "")
        .trim()}\n`;
    })
    .join("\n");
}
