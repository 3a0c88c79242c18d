import type { Target } from '../../schema/index.js';
import { allow, type Statement } from '../document.js';

/**
 * The controller's right to act in its targets: sts:AssumeRole on exactly the Targets' roles (and sts:TagSession on
 * those that pass session tags, which AssumeRole with tags needs besides).
 */
export function assumeTargetStatements(targets: Target[]): Statement[] {
  if (targets.length === 0) return [];
  const tagged = targets.filter((t) => t.spec.sessionTags && Object.keys(t.spec.sessionTags).length > 0).map((t) => t.spec.roleArn);
  return [
    allow('AssumeTargetRoles', ['sts:AssumeRole'], [...new Set(targets.map((t) => t.spec.roleArn))].sort()),
    ...(tagged.length > 0 ? [allow('TagTargetSessions', ['sts:TagSession'], [...new Set(tagged)].sort())] : []),
  ];
}
