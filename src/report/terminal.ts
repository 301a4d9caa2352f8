/** The width listings are cut to: only when stdout is a terminal (never on a pipe). */
export function listingColumns(env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!process.stdout.isTTY) return undefined;
  // As Rake: JT_COLUMNS (or COLUMNS), else the terminal's width; anything under 10 columns means 80.
  const fromEnv = Number(env.JT_COLUMNS ?? env.COLUMNS);
  const width = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : process.stdout.columns || 80;
  return width < 10 ? 80 : width;
}
