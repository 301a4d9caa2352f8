/**
 * Cuts writes into whole lines, one unfinished line kept per writer (a job's stdout, a task's
 * stderr) so that a prefix goes at the start of each line, never in its middle, and writers never
 * mix within a line. A line longer than MAX_LINE is cut there rather than held without end.
 */
const MAX_LINE = 64 * 1024;

export class LineSplitter<K> {
  private readonly unfinished = new Map<K, string>();

  /** The lines `text` completes for `writer`, without their newlines. */
  add(writer: K, text: string): string[] {
    let rest = (this.unfinished.get(writer) ?? "") + text;
    const lines: string[] = [];
    let newline = rest.indexOf("\n");
    while (newline !== -1) {
      lines.push(rest.slice(0, newline));
      rest = rest.slice(newline + 1);
      newline = rest.indexOf("\n");
    }
    while (rest.length > MAX_LINE) {
      lines.push(rest.slice(0, MAX_LINE));
      rest = rest.slice(MAX_LINE);
    }
    if (rest === "") this.unfinished.delete(writer);
    else this.unfinished.set(writer, rest);
    return lines;
  }

  /** The unfinished line of `writer`, if any, which it will not finish now (its job or task ended). */
  take(writer: K): string | undefined {
    const line = this.unfinished.get(writer);
    this.unfinished.delete(writer);
    return line;
  }

  holds(writer: K): boolean {
    return this.unfinished.has(writer);
  }

  writers(): K[] {
    return [...this.unfinished.keys()];
  }
}
