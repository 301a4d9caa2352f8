/**
 * Rake's name resolution. A prerequisite written inside a namespace is looked up in that
 * namespace first, then in each enclosing one, then at the top level; each leading `^`
 * starts the search one scope further out.
 */

export const SEPARATOR = ":";

export function qualify(scope: readonly string[], name: string): string {
  return scope.length === 0 ? name : `${scope.join(SEPARATOR)}${SEPARATOR}${name}`;
}

export function resolveName(written: string, scope: readonly string[], exists: (fullName: string) => boolean): string | undefined {
  const ups = /^\^*/.exec(written)?.[0].length ?? 0;
  const name = written.slice(ups);
  let search = scope.slice(0, Math.max(0, scope.length - ups));
  for (;;) {
    const candidate = qualify(search, name);
    if (exists(candidate)) return candidate;
    if (search.length === 0) return undefined;
    search = search.slice(0, -1);
  }
}

const VALID_NAME = /^[^\s[\],:^=]+(?::[^\s[\],:^=]+)*$/;

/** Why `name` cannot name a task, or `undefined` when it can. */
export function invalidNameReason(name: string): string | undefined {
  if (name === "") return "a task name cannot be empty";
  if (VALID_NAME.test(name)) return undefined;
  return `'${name}' is not a valid task name (use letters, digits, '_', '-', '.' and ':' between namespaces; no spaces, brackets, commas, '^' or '=')`;
}
