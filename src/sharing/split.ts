/**
 * How many of `targets` targets the replica `identity` should hold when `live` replicas share them: everyone gets
 * floor(M / N), and the first M mod N replicas in identity order one more. The shares add up to M exactly and every
 * replica that sees the same members computes the same ones, so the split settles (3 replicas, 5 targets: 2, 2, 1)
 * instead of some replicas holding ceil(M / N) while another holds nothing (4 replicas, 5 targets: 2, 2, 1, 0).
 */
export function shareOf(identity: string, live: readonly string[], targets: number): number {
  const members = [...new Set([...live, identity])].sort();
  const base = Math.floor(targets / members.length);
  return base + (members.indexOf(identity) < targets % members.length ? 1 : 0);
}

/** The held targets to give up to come down to `share`: the last ones in name order, so a replica keeps the same ones. */
export function extrasOf(held: readonly string[], share: number): string[] {
  return [...held].sort().slice(Math.max(share, 0));
}
