import { document, policySize, type PolicyDocument, type Statement } from './document.js';

/** IAM's quotas, in characters without white space: all inline policies of a role together, and one managed policy. */
export const INLINE_POLICY_LIMIT = 10_240;
export const MANAGED_POLICY_LIMIT = 6_144;
/** Managed policies a role may have attached (the default quota). */
export const MAX_MANAGED_POLICIES = 10;

export type FittedPolicy = { inline: PolicyDocument } | { managed: PolicyDocument[] };

export class PolicyTooLarge extends Error {}

/** A statement too large for one managed policy, cut into several by its resources (same actions and condition). */
function pieces(st: Statement): Statement[] {
  if (policySize(document([st])) <= MANAGED_POLICY_LIMIT) return [st];
  if (st.Resource.length < 2) throw new PolicyTooLarge(`statement ${st.Sid} alone exceeds the ${MANAGED_POLICY_LIMIT} characters of a managed policy`);
  const half = Math.ceil(st.Resource.length / 2);
  return [
    ...pieces({ ...st, Sid: `${st.Sid}1`, Resource: st.Resource.slice(0, half) }),
    ...pieces({ ...st, Sid: `${st.Sid}2`, Resource: st.Resource.slice(half) }),
  ];
}

/**
 * One inline policy when it fits; else managed policies of at most 6,144 characters each (statements packed largest
 * first); PolicyTooLarge when even the default ten managed policies cannot hold it.
 */
export function fitPolicy(policy: PolicyDocument): FittedPolicy {
  if (policySize(policy) <= INLINE_POLICY_LIMIT) return { inline: policy };
  const statements = policy.Statement.flatMap(pieces).sort((a, b) => policySize(document([b])) - policySize(document([a])));
  const bins: Statement[][] = [];
  for (const st of statements) {
    const bin = bins.find((b) => policySize(document([...b, st])) <= MANAGED_POLICY_LIMIT);
    if (bin) bin.push(st);
    else bins.push([st]);
  }
  if (bins.length > MAX_MANAGED_POLICIES) {
    throw new PolicyTooLarge(
      `the policy needs ${bins.length} managed policies of ${MANAGED_POLICY_LIMIT} characters, more than the ${MAX_MANAGED_POLICIES} a role may have: ` +
        'use --scope tags, or split the manifests between controllers',
    );
  }
  return { managed: bins.map(document) };
}
