import type { Manifest } from '../schema/index.js';
import { placements } from '../targets/placement.js';
import type { PolicyDocument } from './document.js';
import { iamPolicy, type IamPolicyOptions } from './policy.js';

export interface TargetPolicy {
  target: string;
  roleArn: string;
  policy: PolicyDocument;
}

/**
 * The controller's own policy (the default target's manifests, its tables and queue, assuming the target roles) and
 * one per Target role: that target's manifests only, ARNs narrowed to its account and region.
 */
export function policiesByTarget(manifests: Manifest[], options: IamPolicyOptions): { controller: PolicyDocument; targets: TargetPolicy[] } {
  const split = placements(manifests);
  const own = split.find((p) => p.target === undefined)?.manifests ?? [];
  const targets = split.flatMap((p) => (p.target ? [p.target] : []));
  const targetOptions: IamPolicyOptions = { controllerId: options.controllerId, scope: options.scope, prune: options.prune };
  return {
    controller: iamPolicy([...own, ...targets], options),
    targets: split.flatMap((p) =>
      p.target
        ? [{ target: p.target.metadata.name, roleArn: p.target.spec.roleArn, policy: iamPolicy(p.manifests, { ...targetOptions, account: p.target.spec.accountId, region: p.target.spec.region }) }]
        : [],
    ),
  };
}
