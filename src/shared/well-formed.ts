/**
 * A string with each lone surrogate replaced by U+FFFD (ES2024's `toWellFormed`, which the
 * TypeScript lib jt targets lacks): what JSON stored in PostgreSQL must be.
 */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}
