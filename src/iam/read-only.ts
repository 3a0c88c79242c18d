import type { PolicyDocument } from './document.js';

/** Actions that only read: what `plan` and `drift` call. Everything else (writes, tagging, PassRole) is left out. */
const READ = /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]*$/;

/**
 * The policy of a role that may plan but never apply (a pull-request workflow, an auditor): the controller's policy
 * for the same manifests, reduced to its read actions and their resource scopes. Conditions go: they guard writes
 * (ownership tags), and a plan must also read what Ballast does not own to report it as unmanaged.
 */
export function readOnlyPolicy(policy: PolicyDocument): PolicyDocument {
  const Statement = policy.Statement.map(({ Condition: _writesOnly, ...s }) => ({ ...s, Action: s.Action.filter((a) => READ.test(a)) })).filter(
    (s) => s.Action.length > 0,
  );
  return { ...policy, Statement };
}
