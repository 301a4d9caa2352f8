/** Close matches for a mistyped task name, best first. */
export function closeMatches(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const scored: { name: string; score: number }[] = [];
  const wantedLower = wanted.toLowerCase();
  const allowed = Math.max(1, Math.floor(wanted.length / 3));
  for (const name of candidates) {
    const lower = name.toLowerCase();
    const distance = editDistance(wantedLower, lower);
    const lastSegment = lower.slice(lower.lastIndexOf(":") + 1);
    if (distance <= allowed) scored.push({ name, score: distance });
    else if (lastSegment === wantedLower || (wantedLower.length >= 3 && lower.includes(wantedLower))) {
      scored.push({ name, score: allowed + 1 });
    }
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}
