import type { Manifest, Target } from '../schema/index.js';
import { targetOf } from '../targets/placement.js';
import type { Ref, Report } from './db-rules.js';

/** A Target's own rules: its role lives in its account, and it is placed in no other target. */
export function checkTarget(m: Target, report: Report, others: Target[]): void {
  const roleAccount = m.spec.roleArn.split(':')[4];
  if (roleAccount !== m.spec.accountId) report(['spec', 'roleArn'], `is a role of account ${roleAccount}, not of accountId ${m.spec.accountId}`);
  if (m.metadata.target !== undefined) report(['metadata', 'target'], 'a Target is not placed in another target');
  // Prune in one target would delete what another target owns in the same place.
  const twin = others.find((o) => o !== m && o.spec.accountId === m.spec.accountId && o.spec.region === m.spec.region);
  if (twin) report(['spec', 'region'], `Target "${twin.metadata.name}" is already account ${m.spec.accountId} in ${m.spec.region}: one target per account and region`);
}

/** The manifest's placement names a Target of the revision. */
export function checkPlacement(m: Manifest, ref: Ref): void {
  if (m.kind !== 'Target' && m.metadata.target !== undefined) ref('Target', m.metadata.target, ['metadata', 'target']);
}

/** A reference from one manifest to another in a different target: each target is planned and applied on its own. */
export function crossTargetProblem(from: Manifest, to: Manifest): string | undefined {
  if (to.kind === 'Target' || targetOf(from) === targetOf(to)) return undefined;
  const name = (t: string | undefined) => (t === undefined ? 'the default target' : `target "${t}"`);
  return `${to.kind} "${to.metadata.name}" is in ${name(targetOf(to))}, this ${from.kind} in ${name(targetOf(from))}: references cross no target`;
}
