/**
 * The kinds and the manifest language's version, apart from their TypeBox schemas: checking manifests needs only
 * these and the precompiled validators (src/validate/compiled-validators.ts), so it never loads TypeBox. Order is the order
 * kinds are listed in output; `SCHEMAS` (./index.ts) must have exactly these keys.
 */
export const API_VERSION = 'ballast.dev/v1alpha1';

export const KINDS = ['EcsService', 'ServiceAutoscaling', 'DbInstance', 'Alarm', 'Dashboard', 'RestoreDrill', 'Target'] as const;
export type Kind = (typeof KINDS)[number];

export function isKind(value: unknown): value is Kind {
  return typeof value === 'string' && (KINDS as readonly string[]).includes(value);
}
