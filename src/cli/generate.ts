/**
 * `jt generate task <namespace> <name>...`: writes tasks/<namespace>.ts with a described, typed
 * skeleton for each name (what `rails generate task` does). Never overwrites a file.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { UsageError } from "../errors.js";
import { SEPARATOR } from "../registry/names.js";

const PLAIN_NAME = /^[A-Za-z0-9_][\w-]*$/;

export const GENERATE_USAGE = "Usage: jt generate task <namespace> <name> [<name>...]";

export interface GenerateRequest {
  namespace: string;
  names: string[];
}

export function parseGenerate(words: readonly string[]): GenerateRequest {
  const [kind, namespace, ...names] = words;
  if (kind !== "task") {
    throw new UsageError(kind === undefined ? "jt generate needs a generator" : `Unknown generator '${kind}': jt can generate 'task'`, [
      GENERATE_USAGE,
    ]);
  }
  if (namespace === undefined || names.length === 0)
    throw new UsageError("jt generate task needs a namespace and at least one task name", [GENERATE_USAGE]);
  // Stricter than task names in general: these become a file name under tasks/ and identifiers in code.
  if (!namespace.split(SEPARATOR).every((part) => PLAIN_NAME.test(part))) {
    throw new UsageError(`Invalid namespace '${namespace}': use letters, digits, '_' and '-' (and ':' to nest)`, [GENERATE_USAGE]);
  }
  for (const name of names) {
    if (!PLAIN_NAME.test(name)) {
      throw new UsageError(`Invalid task name '${name}': use letters, digits, '_' and '-' (the namespace is given separately)`, [
        GENERATE_USAGE,
      ]);
    }
  }
  return { namespace, names: [...new Set(names)] };
}

/** Writes the file and returns its path; refuses (exit 2) when it exists. */
export function generateTaskFile(request: GenerateRequest, tasksDir: string, withEnvironment: boolean): string {
  const file = join(tasksDir, `${request.namespace.split(SEPARATOR).join("/")}.ts`);
  if (existsSync(file)) {
    throw new UsageError(`${relative(process.cwd(), file)} already exists; jt generate does not overwrite files`, [
      "Add the tasks to it by hand, or choose another namespace",
    ]);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, skeleton(request, withEnvironment), { flag: "wx" });
  return file;
}

function skeleton({ namespace, names }: GenerateRequest, withEnvironment: boolean): string {
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
