import type { Manifest, Target } from '../schema/index.js';

/** The target a manifest is placed in: metadata.target, or undefined for the default target (the controller's own credentials and region). */
export const targetOf = (m: Manifest): string | undefined => m.metadata.target;

/** The Target a manifest is placed in (undefined: the default target). */
export const targetManifestOf = (manifests: Manifest[], m: Manifest): Target | undefined =>
  manifests.find((t): t is Target => t.kind === 'Target' && t.metadata.name === targetOf(m));

/** The manifests of one target, with its Target manifest (absent for the default target). */
export interface Placement {
  /** metadata.name of the Target; undefined for the default target. */
  name?: string;
  target?: Target;
  manifests: Manifest[];
}

/**
 * Splits a valid revision by target: the default target first (when anything is placed there), then each Target in
 * file order, each with its manifests. A Target without manifests still counts, so its role is checked and its
 * owned resources are found for prune.
 */
export function placements(manifests: Manifest[]): Placement[] {
  const targets = manifests.filter((m): m is Target => m.kind === 'Target');
  const placed = manifests.filter((m) => m.kind !== 'Target');
  const own = placed.filter((m) => targetOf(m) === undefined);
  return [
    ...(own.length > 0 || targets.length === 0 ? [{ manifests: own }] : []),
    ...targets.map((t) => ({ name: t.metadata.name, target: t, manifests: placed.filter((m) => targetOf(m) === t.metadata.name) })),
  ];
}
