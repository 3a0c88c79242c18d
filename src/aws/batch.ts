/** Splits a list into runs of at most `size` items, for APIs that take a bounded number of names or ids per call. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
