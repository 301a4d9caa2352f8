/**
 * `jt generate task <namespace> <name>...`: writes tasks/<namespace>.ts with a described, typed
 * skeleton for each name (what `rails generate task` does). `jt generate job <name>[args]`: one
 * task set up as a background job (queue, retry, timeout). Each also writes a passing test of what
 * it made when the project uses vitest, Jest or `node --test` (as `rails generate` does). Never
 * overwrites a file: when one exists, nothing is written.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parseTarget } from "../args/brackets.js";
import { UsageError } from "../errors.js";
import { SEPARATOR } from "../registry/names.js";
import {
  assertContains,
  assertEqual,
  detectTestFramework,
  runCommand,
  testPrelude,
  testsDir,
  type TestFramework,
} from "./test-framework.js";

const PLAIN_NAME = /^[A-Za-z0-9_][\w-]*$/;
const ARG_NAME = /^[A-Za-z_$][\w$]*$/;

export const GENERATE_USAGE = "Usage: jt generate task <namespace> <name> [<name>...] | jt generate job <name>[<arg>,...]";

export type GenerateRequest =
  | { kind: "task"; namespace: string; names: string[] }
  | { kind: "job"; namespace: string[]; name: string; args: string[] };

export function parseGenerate(words: readonly string[]): GenerateRequest {
  const [kind, ...rest] = words;
  if (kind === "job") return parseJob(rest);
  if (kind !== "task") {
    throw new UsageError(
      kind === undefined ? "jt generate needs a generator" : `Unknown generator '${kind}': jt can generate 'task' and 'job'`,
      [GENERATE_USAGE],
    );
  }
  const [namespace, ...names] = rest;
  if (namespace === undefined || names.length === 0)
    throw new UsageError("jt generate task needs a namespace and at least one task name", [GENERATE_USAGE]);
  // Stricter than task names in general: these become a file name under tasks/ and identifiers in code.
  checkNamespace(namespace.split(SEPARATOR), namespace);
  for (const name of names) {
    if (!PLAIN_NAME.test(name)) {
      throw new UsageError(`Invalid task name '${name}': use letters, digits, '_' and '-' (the namespace is given separately)`, [
        GENERATE_USAGE,
      ]);
    }
  }
  return { kind: "task", namespace, names: [...new Set(names)] };
}

function parseJob(words: readonly string[]): GenerateRequest {
  if (words.length !== 1)
    throw new UsageError("jt generate job needs one job name, such as mail:digest or 'cleanup[id]'", [GENERATE_USAGE]);
  const target = parseTarget(words[0]!);
  if (!target) throw new UsageError(`Malformed job arguments in '${words[0]}': expected name[arg1,arg2,...]`, [GENERATE_USAGE]);
  const parts = target.name.split(SEPARATOR);
  const name = parts.pop()!;
  checkNamespace(parts, target.name);
  if (!PLAIN_NAME.test(name))
    throw new UsageError(`Invalid job name '${target.name}': use letters, digits, '_' and '-' (and ':' for a namespace)`, [GENERATE_USAGE]);
  if (target.name.startsWith("jobs:") || target.name === "jobs")
    throw new UsageError(`Invalid job name '${target.name}': names under jobs: are jt's own (jt jobs:work, jobs:list, …)`, [
      GENERATE_USAGE,
    ]);
  const args = target.values.length > 0 ? target.values : ["id"];
  for (const arg of args) {
    if (!ARG_NAME.test(arg)) throw new UsageError(`Invalid argument name '${arg}': use a JavaScript identifier`, [GENERATE_USAGE]);
  }
  return { kind: "job", namespace: parts, name, args: [...new Set(args)] };
}

function checkNamespace(parts: readonly string[], shown: string): void {
  if (!parts.every((part) => PLAIN_NAME.test(part))) {
    throw new UsageError(`Invalid namespace '${shown}': use letters, digits, '_' and '-' (and ':' to nest)`, [GENERATE_USAGE]);
  }
}

export interface Generated {
  /** The files written, relative to the working directory, with how to run the test when there is one. */
  lines: string[];
}

/** Writes the task file (and its test); refuses (exit 2) when any of them exists, writing nothing. */
export function generate(request: GenerateRequest, project: { root: string; tasksDir: string; withEnvironment: boolean }): Generated {
  const framework = detectTestFramework(project.root);
  const path = request.kind === "task" ? request.namespace.split(SEPARATOR) : [...request.namespace, request.name];
  const taskFile = join(project.tasksDir, `${path.join("/")}.ts`);
  const testFile = framework && join(testsDir(project.root), request.kind === "task" ? "tasks" : "jobs", `${path.join("/")}.test.ts`);
  const files: [string, string][] = [
    [taskFile, request.kind === "task" ? taskSkeleton(request, project.withEnvironment) : jobSkeleton(request, project.withEnvironment)],
  ];
  if (framework && testFile) files.push([testFile, request.kind === "task" ? taskTest(request, framework) : jobTest(request, framework)]);
  for (const [file] of files) {
    if (existsSync(file)) {
      throw new UsageError(`${relative(process.cwd(), file)} already exists; jt generate does not overwrite files (nothing was written)`, [
        request.kind === "task" ? "Add the tasks to it by hand, or choose another namespace" : "Choose another name",
      ]);
    }
  }
  for (const [file, text] of files) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text, { flag: "wx" });
  }
  const lines = [`created ${relative(process.cwd(), taskFile)}`];
  if (framework && testFile) {
    const shown = relative(process.cwd(), testFile);
    lines.push(`created ${shown} (${framework}: ${runCommand(framework, shown)})`);
  }
  return { lines };
}

function taskSkeleton({ namespace, names }: { namespace: string; names: string[] }, withEnvironment: boolean): string {
  const tasks = names.map((name) =>
    [
      `  desc("TODO: describe ${namespace}:${name}");`,
      withEnvironment ? `  task("${name}", ["environment"], async (ctx) => {` : `  task("${name}", async (ctx) => {`,
      `    // jt ${namespace}:${name} — ctx has name, args, ${withEnvironment ? "app, " : ""}sh, invoke and signal`,
      `    console.log(\`running \${ctx.name}\`);`,
      `  });`,
    ].join("\n"),
  );
  return `import { desc, namespace, task } from "jobs-and-tasks";\n\nnamespace("${namespace}", () => {\n${tasks.join("\n\n")}\n});\n`;
}

function jobSkeleton({ namespace, name, args }: { namespace: string[]; name: string; args: string[] }, withEnvironment: boolean): string {
  const full = [...namespace, name].join(SEPARATOR);
  const indent = "  ".repeat(namespace.length);
  const spec = [
    `args: [${args.map((arg) => `"${arg}"`).join(", ")}]`,
    ...(withEnvironment ? [`deps: ["environment"]`] : []),
    `queue: "default"`,
    `retry: { attempts: 5, backoff: "polynomial" }`,
    `timeout: "5m"`,
  ];
  const body = [
    `desc("TODO: describe ${full}");`,
    `// A background job: enqueue("${full}", { args: [${args.map(() => "…").join(", ")}] }) in app code, ctx.enqueue in a task, or`,
    `// jt jobs:enqueue '${full}[${args.map((arg) => `<${arg}>`).join(",")}]' from a shell; jt jobs:work runs it. jt '${full}[…]' runs it now.`,
    `task("${name}", { ${spec.join(", ")} }, async ({ args${withEnvironment ? ", app" : ""} }) => {`,
    `  console.log(\`${full}: ${args.map((arg) => `\${args.${arg}}`).join(" ")}\`);`,
    `});`,
  ];
  const imports = namespace.length > 0 ? "desc, namespace, task" : "desc, task";
  let code = body.map((line) => `${indent}${line}`).join("\n");
  for (const [depth, part] of [...namespace.entries()].reverse()) {
    const pad = "  ".repeat(depth);
    code = `${pad}namespace("${part}", () => {\n${code}\n${pad}});`;
  }
  return `import { ${imports} } from "jobs-and-tasks";\n\n${code}\n`;
}

function taskTest({ namespace, names }: { namespace: string; names: string[] }, framework: TestFramework): string {
  const tests = names.map((name) =>
    [
      `  test("${namespace}:${name}", async () => {`,
      `    const run = await runTask("${namespace}:${name}");`,
      `    ${assertEqual(framework, "run.error", "undefined")}`,
      `    ${assertContains(framework, "run.stdout", `"running ${namespace}:${name}"`)}`,
      `  });`,
    ].join("\n"),
  );
  return `${testPrelude(framework, ["runTask"])}\ndescribe("${namespace} tasks", () => {\n${tests.join("\n\n")}\n});\n`;
}

function jobTest({ namespace, name, args }: { namespace: string[]; name: string; args: string[] }, framework: TestFramework): string {
  const full = [...namespace, name].join(SEPARATOR);
  const values = args.map((_, i) => `"${i + 1}"`);
  return `${testPrelude(framework, ["testJobs"])}
describe("${full}", () => {
  test("is enqueued with its args and queue, and runs as a job", async () => {
    const jobs = testJobs();
    try {
      await jobs.enqueue("${full}", { args: [${values.join(", ")}] });
      ${assertEqual(framework, "(await jobs.enqueued()).map((job) => [job.task, job.args, job.queue])", `[["${full}", [${values.join(", ")}], "default"]]`)}
      const drained = await jobs.drain();
      ${assertEqual(framework, "[drained.completed, drained.failed]", "[1, 0]")}
      ${assertContains(framework, "drained.stdout", `"${full}: ${args.map((_, i) => i + 1).join(" ")}"`)}
    } finally {
      await jobs.close();
    }
  });
});
`;
}
