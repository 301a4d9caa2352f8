/**
 * A module.register() resolve hook (it runs on Node's loader thread): the bare specifier "jt"
 * in an ES module resolves to the running copy of jt, even where no node_modules/jt exists.
 */
interface ResolveContext {
  conditions: string[];
  parentURL?: string | undefined;
}
type NextResolve = (specifier: string, context: ResolveContext) => unknown;

let jtUrl = "";

export function initialize(data: { jtUrl: string }): void {
  jtUrl = data.jtUrl;
}

export function resolve(specifier: string, context: ResolveContext, next: NextResolve): unknown {
  if (specifier === "jt") return { url: jtUrl, shortCircuit: true };
  return next(specifier, context);
}
