/**
 * Close matches for a mistyped task name, as Ruby's did_you_mean suggests them to Rake users:
 * candidates close by Jaro-Winkler, then those within a quarter of the length by Levenshtein
 * distance (or, failing that, the single nearest plausible misspelling).
 */
export function closeMatches(input: string, dictionary: Iterable<string>, limit = Infinity): string[] {
  return didYouMean(input, dictionary).slice(0, limit);
}

function didYouMean(input: string, dictionary: Iterable<string>): string[] {
  const wanted = normalize(input);
  const similarEnough = wanted.length > 3 ? 0.834 : 0.77;
  const words = [...dictionary]
    .filter((word) => jaroWinkler(normalize(word), wanted) >= similarEnough && word !== input)
    .map((word, index) => ({ word, index, score: jaroWinkler(word, wanted) }))
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .reverse()
    .map((entry) => entry.word);
  const mistypeLimit = Math.ceil(wanted.length * 0.25);
  const mistypes = words.filter((word) => levenshtein(normalize(word), wanted) <= mistypeLimit);
  if (mistypes.length > 0) return mistypes;
  const misspelling = words.find((word) => {
    const normalized = normalize(word);
    return levenshtein(normalized, wanted) < Math.min(wanted.length, normalized.length);
  });
  return misspelling === undefined ? [] : [misspelling];
}

function normalize(word: string): string {
  return word.toLowerCase().replaceAll("@", "");
}

export function jaroWinkler(a: string, b: string): number {
  const jaro = jaroDistance(a, b);
  if (jaro <= 0.7) return jaro;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && a[prefix] === b[prefix]) prefix += 1;
  return jaro + prefix * 0.1 * (1 - jaro);
}

function jaroDistance(first: string, second: string): number {
  const [short, long] = first.length > second.length ? [second, first] : [first, second];
  const range = Math.max(0, Math.floor(long.length / 2) - 1);
  const shortMatched: boolean[] = [];
  const longMatched: boolean[] = [];
  let matches = 0;
  for (let i = 0; i < short.length; i++) {
    for (let j = Math.max(0, i - range); j <= i + range && j < long.length; j++) {
      if (!longMatched[j] && short[i] === long[j]) {
        longMatched[j] = shortMatched[i] = true;
        matches += 1;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < short.length; i++) {
    if (!shortMatched[i]) continue;
    while (k < long.length && !longMatched[k]) k += 1;
    if (short[i] !== long[k]) transpositions += 1;
    k += 1;
  }
  const t = Math.floor(transpositions / 2);
  return (matches / short.length + matches / long.length + (matches - t) / matches) / 3;
}

export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
