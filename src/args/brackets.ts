/**
 * Rake's command-line task syntax: `name[a,b]`. Spaces around commas are trimmed, `\,` is a
 * literal comma, `name[]` means no arguments, and a trailing comma gives a trailing empty value
 * (all as Rake's `parse_task_string` does).
 */

export interface TargetRequest {
  name: string;
  values: string[];
}

const TARGET = /^([^[]+)\[(.*)\]$/s;
// Unanchored, like Ruby's `=~`: a lone trailing backslash makes the search start later (Rake gives [""] for `t[a\]`).
const NEXT_VALUE = /\s*((?:[^\\,]|\\.)*?)\s*(?:,\s*(.*))?$/s;

/** Parses one command-line word; returns `undefined` when the brackets are malformed. */
export function parseTarget(word: string): TargetRequest | undefined {
  const match = TARGET.exec(word);
  if (!match) return word.includes("[") ? undefined : { name: word, values: [] };
  const [, name = "", inside = ""] = match;
  return { name, values: inside === "" ? [] : splitValues(inside) };
}

function splitValues(inside: string): string[] {
  const values: string[] = [];
  let remaining: string | undefined = inside;
  while (remaining !== undefined) {
    const match = NEXT_VALUE.exec(remaining);
    if (!match) break;
    values.push(unescape(match[1] ?? ""));
    remaining = match[2];
  }
  return values;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/gs, "$1");
}

/** The inverse of `parseTarget`, for messages and completion: `name[a,b\,c]`. */
export function formatTarget(name: string, values: readonly string[]): string {
  if (values.length === 0) return name;
  if (values.length === 1 && values[0] === "") return `${name}[ ]`;
  const escape = (value: string) =>
    value
      .replace(/[\\,]/g, "\\$&")
      .replace(/^\s/, "\\$&")
      .replace(/(?<!\\)\s$/, "\\$&");
  return `${name}[${values.map(escape).join(",")}]`;
}
