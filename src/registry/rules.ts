/**
 * Rake's rules: a pattern of file names, and how to name a matching file's sources. When a name
 * is no task, the first rule whose pattern matches it and whose every source exists (as a file, a
 * task, or through another rule) makes a file task of it. Pure, apart from the `exists` asked.
 */
import { basename, dirname, extname } from "node:path";
import { DefinitionError } from "../errors.js";
import type { SourceLocation } from "./source-location.js";
import type { Action } from "./task.js";

/** How a rule names a source: `".c"` (the name with this extension), a `%`-path map, a path, or a function of the name. */
export type RuleSource = string | ((name: string) => string | readonly string[]);

export interface Rule {
  readonly pattern: RegExp;
  readonly sources: readonly RuleSource[];
  readonly action: Action | undefined;
  readonly location: SourceLocation | undefined;
}

/** As Rake reads a rule's pattern: a string matches names that end with it. */
export function rulePattern(pattern: unknown): RegExp {
  if (pattern instanceof RegExp) return pattern;
  if (typeof pattern === "string" && pattern !== "") return new RegExp(`${pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  throw new DefinitionError(
    `rule() takes a pattern, a file ending like ".o" or a RegExp, not ${JSON.stringify(pattern) ?? String(pattern)}`,
  );
}

export function ruleSources(pattern: RegExp, sources: unknown): RuleSource[] {
  const list = Array.isArray(sources) ? sources : [sources];
  for (const source of list) {
    if (typeof source === "function") continue;
    if (typeof source !== "string" || source === "") {
      throw new DefinitionError(
        `rule(${pattern}, …): a source must be a file ending like ".c", a path, a "%"-path map or a function of the name, not ${JSON.stringify(source) ?? String(source)}`,
      );
    }
    if (source.includes("%")) pathmap("x", source); // a bad spec fails here, where the rule is written
  }
  return list as RuleSource[];
}

/** The sources a rule names for `name` (Rake's `make_sources`). */
export function sourcesFor(rule: Rule, name: string): string[] {
  return rule.sources.flatMap((source) => {
    if (typeof source === "function") {
      const made = source(name);
      const names = Array.isArray(made) ? made : [made];
      for (const one of names) {
        if (typeof one !== "string" || one === "")
          throw new DefinitionError(
            `A source function of rule ${rule.pattern} gave ${JSON.stringify(one) ?? String(one)} for '${name}', not a file name`,
          );
      }
      return names as string[];
    }
    if (source.includes("%")) return [pathmap(name, source)];
    if (source.includes("/")) return [source];
    if (source.startsWith(".")) {
      const replaced = name.replace(rule.pattern, source);
      return [replaced === source ? withExtension(name, source) : replaced];
    }
    return [source];
  });
}

/** Rake's `String#ext`: the name with its extension replaced. */
export function withExtension(name: string, extension: string): string {
  const ext = extname(name);
  return (ext ? name.slice(0, -ext.length) : name) + extension;
}

/**
 * Rake's `String#pathmap`, its common specs: `%p` the path, `%f` its file name, `%n` that without
 * its extension, `%d` its directory, `%x` its extension, `%X` the path without it, `%%` a `%`;
 * `%{pattern,replacement}d` (any spec) replaces the first match of each `;`-separated pattern in it.
 */
export function pathmap(path: string, spec: string): string {
  return spec.replace(/%(\{[^}]*\})?(.)/g, (_whole, substitutions: string | undefined, code: string) => {
    const part = pathPart(path, code, spec);
    return substitutions === undefined ? part : substitute(part, substitutions.slice(1, -1), spec);
  });
}

function pathPart(path: string, code: string, spec: string): string {
  switch (code) {
    case "p":
      return path;
    case "f":
      return basename(path);
    case "n":
      return basename(path, extname(path));
    case "d":
      return dirname(path);
    case "x":
      return extname(path);
    case "X":
      return withExtension(path, "");
    case "%":
      return "%";
    default:
      throw new DefinitionError(
        `Unknown path map spec '%${code}' in "${spec}": use %p, %f, %n, %d, %x, %X or %%, or a function of the name`,
      );
  }
}

function substitute(part: string, substitutions: string, spec: string): string {
  return substitutions.split(";").reduce((text, pair) => {
    const comma = pair.indexOf(",");
    if (comma === -1) throw new DefinitionError(`Path map substitution '${pair}' in "${spec}" needs the form pattern,replacement`);
    try {
      return text.replace(new RegExp(pair.slice(0, comma)), pair.slice(comma + 1));
    } catch {
      throw new DefinitionError(
        `Path map substitution '${pair}' in "${spec}": '${pair.slice(0, comma)}' is not a valid regular expression`,
      );
    }
  }, part);
}
