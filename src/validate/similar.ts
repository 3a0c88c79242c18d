/** Same word up to case, or a typo apart: two edits, one for words under four letters. */
export function similar(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const shortest = Math.min(a.length, b.length);
  const most = shortest < 4 ? 1 : 2;
  if (Math.abs(a.length - b.length) > most || shortest < 3) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return (previous[b.length] ?? 0) <= most;
}

/** The first candidate like word (but not word itself), if any. */
export function closest<T extends string>(word: unknown, candidates: readonly T[]): T | undefined {
  return typeof word === 'string' ? candidates.find((c) => c !== word && similar(c, word)) : undefined;
}

/** ` (did you mean "x"?)` for the first candidate like word, or nothing. */
export function didYouMean(word: unknown, candidates: readonly string[]): string {
  const guess = closest(word, candidates);
  return guess ? ` (did you mean "${guess}"?)` : '';
}
