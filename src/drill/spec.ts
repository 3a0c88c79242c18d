import { Value } from '@sinclair/typebox/value';
import type { RestoreDrill } from '../schema/index.js';
import { RestoreDrillSpec } from '../schema/restore-drill.js';

type Spec = RestoreDrill['spec'];
type Checks = NonNullable<Spec['checks']>;

/** A drill's spec with every schema default in place. */
export type DrillSpec = Spec &
  Required<Pick<Spec, 'timezone' | 'instanceClass' | 'timeoutMinutes'>> & {
    checks: Checks & Required<Pick<Checks, 'status' | 'engineVersion' | 'encryption'>>;
  };

/** Fills the schema's defaults (the validator already does for loaded manifests; this also covers hand-made ones). */
export function drillSpec(drill: RestoreDrill): DrillSpec {
  return Value.Default(RestoreDrillSpec, structuredClone(drill.spec)) as DrillSpec;
}
