/**
 * "Did you mean ...?": the nearest of a list of allowed words to a mistyped one. Shared by the config
 * loader (a typo'd key) and the command-line parser of scripts/ (a typo'd option, value or stack).
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The allowed word nearest to `word` (case-insensitive), or undefined when none is close: at most
 * 2 edits, or a third of the word's length for longer words; a word that starts the other also counts.
 */
export function nearest(word: string, allowed: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: { word: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const c = candidate.toLowerCase();
    const distance = editDistance(w, c);
    const limit = Math.max(2, Math.ceil(Math.max(w.length, c.length) / 3));
    const prefix = w.length >= 3 && (c.startsWith(w) || w.startsWith(c));
    if ((distance <= limit || prefix) && (!best || distance < best.distance)) best = { word: candidate, distance };
  }
  return best?.word;
}

/** `; did you mean X?` for the nearest allowed word, or "" when none is close. */
export function didYouMean(word: string, allowed: Iterable<string>, format: (w: string) => string = (w) => w): string {
  const n = nearest(word, allowed);
  return n === undefined ? "" : `; did you mean ${format(n)}?`;
}
