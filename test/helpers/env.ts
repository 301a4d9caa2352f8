/** The environment every spawned jt starts from: the test process's, without what would change what jt prints. */

/** Variables from the developer's shell (or CI's) that change jt's output: colour, widths, loader flags, NODE_ENV. */
export const INHERITED_NOISE = ["FORCE_COLOR", "NO_COLOR", "COLUMNS", "JT_COLUMNS", "LINES", "NODE_OPTIONS", "NODE_ENV", "CI"] as const;

/** `process.env` without the noise, then `extra` on top (a value of undefined removes the variable). */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of INHERITED_NOISE) delete env[name];
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
