#!/usr/bin/env node
// The architecture check (docs/architecture.md, "Layers"): every import in src/ goes to its own
// layer or one below it. Type-only imports count: they tie the code together as much as the rest.
//
//   node scripts/check-layers.mjs        (exit 1 and one line per import against the layers)
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Bottom to top: a layer may import from itself and from the layers before it. */
export const LAYERS = [
  ["core", ["errors.ts", "package-paths.ts", "shared/"]],
  ["args", ["args/"]],
  ["config", ["config/"]],
  ["registry", ["registry/"]],
  ["api", ["api/"]],
  ["plan", ["plan/"]],
  ["report", ["report/"]],
  ["cache", ["cache/"]],
  ["load", ["load/"]],
  ["run", ["run/"]],
  ["jobs", ["jobs/"]],
  ["dashboard", ["dashboard/"]],
  ["public API", ["index.ts"]],
  ["session", ["session/"]],
  ["testing", ["testing/"]],
  ["cli", ["cli/"]],
];

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

export function layerOf(path) {
  const at = LAYERS.findIndex(([, prefixes]) =>
    prefixes.some((prefix) => (prefix.endsWith("/") ? path.startsWith(prefix) : path === prefix)),
  );
  return at === -1 ? undefined : at;
}

/** Every relative import of every .ts file under `src`, as [from, to] paths relative to it. */
export function importsIn(src) {
  const edges = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        const text = readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "");
        for (const match of text.matchAll(IMPORT)) {
          const specifier = match[1] ?? match[2] ?? match[3];
          if (!specifier.startsWith(".")) continue;
          const target = relative(src, resolve(dirname(path), specifier)).replace(/\.js$/, ".ts");
          edges.push([relative(src, path), target]);
        }
      }
    }
  };
  walk(src);
  return edges;
}

export function violations(src) {
  const problems = [];
  for (const [from, to] of importsIn(src)) {
    const [own, theirs] = [layerOf(from), layerOf(to)];
    if (own === undefined)
      problems.push(`${from}: in no layer (add its folder to LAYERS in scripts/check-layers.mjs and to docs/architecture.md)`);
    else if (theirs === undefined) problems.push(`${from} imports ${to}, which is in no layer`);
    else if (theirs > own) problems.push(`${from} (${LAYERS[own][0]}) imports ${to} (${LAYERS[theirs][0]}, a layer above it)`);
  }
  return [...new Set(problems)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = join(dirname(dirname(fileURLToPath(import.meta.url))), "src");
  const problems = violations(src);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`\n${problems.length} import${problems.length === 1 ? "" : "s"} against the layers of docs/architecture.md`);
    process.exit(1);
  }
  console.log(`layers: ${importsIn(src).length} imports, all downwards`);
}
