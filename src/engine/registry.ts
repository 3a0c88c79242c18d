import { KINDS, type Kind, type Manifest } from '../schema/index.js';
import type { Reconciler } from './types.js';

/**
 * Kinds that describe AWS resources to reconcile; a RestoreDrill describes a schedule the controller runs instead,
 * a Target where the others are applied.
 */
export type ReconciledKind = Exclude<Kind, 'RestoreDrill' | 'Target'>;
export type ReconciledManifest = Extract<Manifest, { kind: ReconciledKind }>;

export const isReconciled = (kind: Kind): kind is ReconciledKind => kind !== 'RestoreDrill' && kind !== 'Target';
export const RECONCILED_KINDS: ReconciledKind[] = KINDS.filter(isReconciled);
export const isReconciledManifest = (m: Manifest): m is ReconciledManifest => isReconciled(m.kind);

/** One reconciler per reconciled kind; the engine knows no kind beyond this table. */
export type Registry = { [K in ReconciledKind]: Reconciler<K, unknown> };
export type AnyReconciler = Registry[ReconciledKind];
