/**
 * A module.register() resolve hook (it runs on Node's loader thread): the bare specifiers
 * "jobs-and-tasks" and "jt" in an ES module resolve to the running copy of jt, even where no
 * node_modules/jobs-and-tasks exists. (The same list as JT_SPECIFIERS in package-paths.ts.)
 */
interface ResolveContext {
  conditions: string[];
  parentURL?: string | undefined;
}
type NextResolve = (specifier: string, context: ResolveContext) => unknown;

const JT_SPECIFIERS = new Set(["jobs-and-tasks", "jt"]);
let jtUrl = "";

export function initialize(data: { jtUrl: string }): void {
  jtUrl = data.jtUrl;
}

export function resolve(specifier: string, context: ResolveContext, next: NextResolve): unknown {
  if (JT_SPECIFIERS.has(specifier)) return { url: jtUrl, shortCircuit: true };
  return next(specifier, context);
}
