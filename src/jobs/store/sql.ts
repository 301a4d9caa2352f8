/** SQL that both stores share (it runs unchanged on SQLite and PostgreSQL). */

/**
 * The jobs `which` selects that can be retried without breaking a unique key: those without one,
 * and for each key no live job outside the selection holds, one job (a live one first).
 */
export function retryEligible(table: string, which: string): string {
  return `candidates AS (SELECT id, state, unique_key FROM ${table} WHERE ${which}),
    eligible AS (
      SELECT c.id FROM candidates c
      WHERE c.unique_key IS NULL
         OR (NOT EXISTS (SELECT 1 FROM ${table} l WHERE l.unique_key = c.unique_key AND l.state IN ('queued', 'running')
                         AND l.id NOT IN (SELECT id FROM candidates))
             AND c.id = (SELECT c2.id FROM candidates c2 WHERE c2.unique_key = c.unique_key
                         ORDER BY (c2.state <> 'queued'), c2.id LIMIT 1)))`;
}
