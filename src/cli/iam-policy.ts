import { readFile } from 'node:fs/promises';
import { loadRevision } from '../validate/index.js';
import { formatProblem } from '../problem.js';
import { exactPolicy, iamPolicy, type IamPolicyOptions } from '../iam/policy.js';
import { policySize } from '../iam/document.js';
import { fitPolicy, INLINE_POLICY_LIMIT, MANAGED_POLICY_LIMIT, PolicyTooLarge } from '../iam/limits.js';
import { deployedStatements, missingGrants, type MissingGrant } from '../iam/check.js';
import { readOnlyPolicy } from '../iam/read-only.js';
import { policiesByTarget } from '../iam/targets.js';
import type { Manifest } from '../schema/index.js';
import type { PolicyDocument } from '../iam/document.js';
import { writeJson, writeRawJson, type Io, type OutputFormat } from './io.js';

export interface IamPolicyCommandOptions extends IamPolicyOptions {
  output: OutputFormat;
  check?: string;
  /** Only the reads `plan` and `drift` make: for a pull-request workflow's role. */
  readOnly?: boolean;
}

/**
 * Prints the policy document on stdout in both formats, so `ballast iam-policy > policy.json` is ready for
 * `aws iam put-role-policy`; past the inline limit, a list of managed policy documents instead. Text mode adds a
 * short account of it on stderr. With --check, compares a deployed policy with what the manifests need.
 */
export async function iamPolicyCommand(path: string, options: IamPolicyCommandOptions, io: Io): Promise<number> {
  const revision = await loadRevision(path);
  if (revision.problems.length > 0) {
    if (options.output === 'json') writeJson(io, { valid: false, problems: revision.problems });
    else for (const p of revision.problems) io.stderr(`${formatProblem(p)}\n`);
    io.stderr(`${revision.problems.length} problem(s): no policy for an invalid revision\n`);
    return 1;
  }
  if (revision.manifests.some((m) => m.kind === 'Target')) return byTarget(revision.manifests, options, io);
  if (options.check) return check(options.check, revision.manifests, options, io);
  const full = iamPolicy(revision.manifests, options);
  const policy = options.readOnly ? readOnlyPolicy(full) : full;
  let fitted;
  try {
    fitted = fitPolicy(policy);
  } catch (err) {
    if (!(err instanceof PolicyTooLarge)) throw err;
    io.stderr(`error: ${err.message}\n`);
    return 1;
  }
  writeRawJson(io, 'inline' in fitted ? fitted.inline : fitted.managed);
  if (options.output === 'text') {
    const actions = new Set(policy.Statement.flatMap((s) => s.Action));
    const what = `${actions.size} actions in ${policy.Statement.length} statements for ${revision.manifests.length} manifests (scope ${options.scope ?? 'tags'}${options.prune ? ', with prune' : ''})`;
    io.stderr(
      'inline' in fitted
        ? `${what}; ${policySize(policy)} of the ${INLINE_POLICY_LIMIT} characters a role's inline policies may hold\n`
        : `${what}; too large for the ${INLINE_POLICY_LIMIT} characters of inline policies: printed as ${fitted.managed.length} managed policies of at most ${MANAGED_POLICY_LIMIT} characters, attach each to the role\n`,
    );
  }
  return 0;
}

/**
 * With Targets: one JSON document holding the controller's own policy (with sts:AssumeRole on the target roles) and
 * one policy per target role, each as an inline document or, past the inline limit, a list of managed ones.
 */
function byTarget(manifests: Manifest[], options: IamPolicyCommandOptions, io: Io): number {
  if (options.check || options.readOnly) {
    io.stderr('error: --check and --read-only take a revision without Targets; with Targets, print the policies and compare them by hand\n');
    return 1;
  }
  const { controller, targets } = policiesByTarget(manifests, options);
  const fitted = (policy: PolicyDocument) => {
    const f = fitPolicy(policy);
    return 'inline' in f ? f.inline : f.managed;
  };
  try {
    writeRawJson(io, { controller: fitted(controller), targets: targets.map((t) => ({ target: t.target, roleArn: t.roleArn, policy: fitted(t.policy) })) });
  } catch (err) {
    if (!(err instanceof PolicyTooLarge)) throw err;
    io.stderr(`error: ${err.message}\n`);
    return 1;
  }
  if (options.output === 'text') io.stderr(`the controller's policy, and one policy for each of the ${targets.length} target role(s): ${targets.map((t) => t.roleArn).join(', ')}\n`);
  return 0;
}

const describe = (m: MissingGrant) => `${m.action} on ${m.resource}${m.condition ? ` when ${JSON.stringify(m.condition)}` : ''} (${m.sid})`;

/** Exit 0 when the deployed policy grants every need of the manifests (exact names, so any scope that covers them passes), 2 otherwise. */
async function check(file: string, manifests: Manifest[], options: IamPolicyCommandOptions, io: Io): Promise<number> {
  const deployed = deployedStatements(JSON.parse(await readFile(file, 'utf8')) as unknown);
  const missing = missingGrants(exactPolicy(manifests, { ...options, scope: 'names' }), deployed);
  if (options.output === 'json') writeJson(io, { ok: missing.length === 0, missing });
  else if (missing.length === 0) io.stdout(`${file} grants everything the ${manifests.length} manifests need\n`);
  else io.stdout(`${file} lacks ${missing.length} grant(s) the manifests need:\n${missing.map((m) => `  ${describe(m)}\n`).join('')}`);
  return missing.length === 0 ? 0 : 2;
}
