import { keyOf, type ResourceKey } from '../engine/types.js';
import { isReconciledManifest, type AnyReconciler, type Registry } from '../engine/registry.js';
import type { Manifest } from '../schema/index.js';
import { didYouMean } from '../validate/similar.js';

/** A --target that names no manifest of the revision. */
export class UnknownTarget extends Error {}

/**
 * The resources a plan restricted to `targets` (each `Kind/name`) covers: the targets and, transitively, what they
 * depend on, so a targeted apply never creates a dependant before its dependency.
 */
export function selectTargets(targets: string[], manifests: Manifest[], registry: Registry): Set<ResourceKey> {
  const byKey = new Map(manifests.filter(isReconciledManifest).map((m) => [keyOf(m) as string, m]));
  const selected = new Set<ResourceKey>();
  const add = (key: string) => {
    const m = byKey.get(key);
    if (!m || selected.has(keyOf(m))) return;
    selected.add(keyOf(m));
    (registry[m.kind] as AnyReconciler).dependsOn(m as never).forEach(add);
  };
  for (const target of targets) {
    if (!byKey.has(target)) throw new UnknownTarget(`--target ${target}: no such manifest in this revision${didYouMean(target, [...byKey.keys()])}`);
    add(target);
  }
  return selected;
}

/** Like selectTargets for names that may be gone from the revision (an event's): those are skipped. */
export function selectPresent(keys: string[], manifests: Manifest[], registry: Registry): Set<ResourceKey> {
  const present = new Set(manifests.map((m) => `${m.kind}/${m.metadata.name}`));
  return selectTargets(keys.filter((k) => present.has(k)), manifests, registry);
}
