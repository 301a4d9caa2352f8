/**
 * Compiles a project's TypeScript with decorator metadata (`design:type`, `design:paramtypes`), for
 * projects whose tsconfig sets `emitDecoratorMetadata`: tsx's esbuild does not emit it, and without
 * it TypeORM's bare `@Column()` and NestJS's constructor injection fail. The compiler is SWC
 * (`@swc/core`, what NestJS's own CLI uses), loaded from the project: measured on this machine it
 * loads in ~40 ms and compiles an entity in ~0.4 ms, where TypeScript's `transpileModule` takes
 * ~300–450 ms to load and ~10–12 ms a file (bench notes in docs/architecture.md).
 */
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { DefinitionError } from "../errors.js";
import { tsconfigCompilerOptions } from "./tsconfig-paths.js";

/** The part of @swc/core's API jt calls (typed here: @swc/core is the project's dependency, not jt's). */
interface Swc {
  transformSync(source: string, options: Record<string, unknown>): { code: string };
}
let swc: Swc | undefined;

function loadSwc(filename: string): Swc {
  if (swc) return swc;
  try {
    swc = createRequire(join(process.cwd(), "package.json"))("@swc/core") as Swc;
  } catch {
    throw new DefinitionError(
      `${filename} needs decorator metadata (tsconfig's emitDecoratorMetadata), which jt compiles with SWC: install @swc/core (npm install --save-dev @swc/core)`,
    );
  }
  return swc;
}

/** tsc's default for class fields: define semantics from ES2022 on, unless the tsconfig says. */
function useDefineForClassFields(options: Record<string, unknown>): boolean {
  if (typeof options.useDefineForClassFields === "boolean") return options.useDefineForClassFields;
  const target = String(options.target ?? "es5").toLowerCase();
  return target === "esnext" || (/^es20\d\d$/.test(target) && Number(target.slice(2)) >= 2022);
}

/**
 * SWC exports a decorated class through a getter over `let User = class User …`: in a cycle of
 * entities (User imports Post, Post's `@ManyToOne(() => User)` metadata reads User while user.ts is
 * still loading) the getter throws "Cannot access 'User' before initialization", where tsc's output
 * gives `undefined` and TypeORM's lazy `() => User` resolves it later. A `var` binding has no
 * temporal dead zone, so the module loads as under tsc. (`let`/`var` have the same length: the
 * source map's columns stay right.)
 */
function withoutTemporalDeadZone(code: string): string {
  return code.replace(/^let ([\w$]+) = class /gm, "var $1 = class ");
}

/** CommonJS with an inline source map, as tsx's output is, so the cache and error frames treat both alike. */
export function compileWithMetadata(source: string, filename: string): string {
  const options = tsconfigCompilerOptions();
  const swc = loadSwc(filename);
  let code: string;
  try {
    code = transform(swc, source, filename, options);
  } catch (error) {
    throw syntaxError(error, filename);
  }
  return withoutTemporalDeadZone(code);
}

function transform(swc: Swc, source: string, filename: string, options: Record<string, unknown>): string {
  return swc.transformSync(source, {
    filename,
    swcrc: false,
    configFile: false,
    sourceMaps: "inline",
    module: { type: "commonjs" },
    jsc: {
      target: "es2022",
      keepClassNames: true,
      parser: { syntax: "typescript", decorators: true, tsx: filename.endsWith(".tsx") },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: useDefineForClassFields(options) },
    },
  }).code;
}

/**
 * SWC reports "  x Expression expected\n   ,-[file:2:1]\n 2 | let b = (;\n   :         ^": jt's usual
 * one-line SyntaxError with the file, line and column of the caret.
 */
function syntaxError(error: unknown, filename: string): unknown {
  const text = error instanceof Error ? error.message : String(error);
  const message = /^\s*x (.+)$/m.exec(text)?.[1];
  const at = /,-\[(.+):(\d+):(\d+)\]/.exec(text);
  if (message === undefined || !at) return error;
  const lines = text.split("\n");
  const source = lines.findIndex((line) => new RegExp(`^\\s*${at[2]} \\| `).test(line));
  const caret = source >= 0 ? (lines[source + 1]?.indexOf("^") ?? -1) : -1;
  const column = caret >= 0 ? caret - (lines[source]!.indexOf("| ") + 2) + 1 : Number(at[3]);
  const shown = relative(process.cwd(), filename) || filename;
  return new DefinitionError(`Failed to load ${shown}: SyntaxError: ${message}`, [`${at[1]}:${at[2]}:${column}`], { cause: error });
}
