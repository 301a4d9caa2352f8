/**
 * Rake's command-line task syntax: `name[a,b]`. Spaces around commas are trimmed, `\,` is a
 * literal comma, `name[]` means no arguments, and a trailing comma gives a trailing empty value
 * (all as Rake's `parse_task_string` does).
 */

import { UsageError } from "../errors.js";

/** A task named on a command line (or enqueued), with its positional values. */
export interface Target {
  name: string;
  values: readonly string[];
}

const TARGET = /^([^[]+)\[(.*)\]$/s;
// Unanchored, like Ruby's `=~`: a lone trailing backslash makes the search start later (Rake gives [""] for `t[a\]`).
const NEXT_VALUE = /\s*((?:[^\\,]|\\.)*?)\s*(?:,\s*(.*))?$/s;

/** Parses one command-line word; returns `undefined` when the brackets are malformed. */
export function parseTarget(word: string): Target | undefined {
  const match = TARGET.exec(word);
  if (!match) return word.includes("[") ? undefined : { name: word, values: [] };
  const [, name = "", inside = ""] = match;
  return { name, values: inside === "" ? [] : splitValues(inside) };
}

/** `parseTarget`, with malformed brackets a usage error (exit 2) that says what was expected; `details` follow it. */
export function targetOrFail(word: string, details: readonly string[] = []): Target {
  const target = parseTarget(word);
  if (!target) throw new UsageError(`Malformed task arguments in '${word}': expected name[arg1,arg2,...] with a closing ']'`, [...details]);
  return target;
}

/**
 * Joins a target the shell split at spaces back into one word: `users:load[alice,` `bob]` →
 * `users:load[alice, bob]`, as if it had been quoted (spaces around commas are trimmed anyway).
 * That is what an unquoted `jt users:load[alice, bob]` gives, and fish's completion, which puts a
 * space after `users:load\[`. A word left open to the end is kept as it is (and reported malformed).
 */
export function joinSplitTargets(words: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const opensArguments = /^[^[\s=]+\[/.test(word) && !TARGET.test(word);
    const closing = opensArguments ? closingWord(words, i + 1) : -1;
    if (closing < 0) {
      joined.push(word);
      continue;
    }
    joined.push(words.slice(i, closing + 1).join(" "));
    i = closing;
  }
  return joined;
}

/** The index of the word from `from` on that ends the open brackets; -1 when another target starts first. */
function closingWord(words: readonly string[], from: number): number {
  for (let at = from; at < words.length; at++) {
    const word = words[at]!;
    if (word.includes("[")) return -1;
    if (word.endsWith("]")) return at;
  }
  return -1;
}

function splitValues(inside: string): string[] {
  const values: string[] = [];
  let remaining: string | undefined = inside;
  while (remaining !== undefined) {
    const match = NEXT_VALUE.exec(remaining);
    if (!match) break;
    values.push(unescapeValue(match[1] ?? ""));
    remaining = match[2];
  }
  return values;
}

function unescapeValue(value: string): string {
  return value.replace(/\\(.)/gs, "$1");
}

/** The inverse of `parseTarget`, for messages and completion: `name[a,b\,c]`. */
export function formatTarget(name: string, values: readonly string[]): string {
  if (values.length === 0) return name;
  if (values.length === 1 && values[0] === "") return `${name}[ ]`;
  const escapeValue = (value: string) =>
    value
      .replace(/[\\,]/g, "\\$&")
      .replace(/^\s/, "\\$&")
      .replace(/(?<!\\)\s$/, "\\$&");
  return `${name}[${values.map(escapeValue).join(",")}]`;
}
