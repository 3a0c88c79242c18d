import { loadRevision } from '../validate/index.js';
import { formatProblem } from '../problem.js';
import { iamPolicy, INLINE_POLICY_LIMIT, type IamPolicyOptions } from '../iam/policy.js';
import { writeJson, type Io, type OutputFormat } from './io.js';

export interface IamPolicyCommandOptions extends IamPolicyOptions {
  output: OutputFormat;
}

/**
 * Prints the policy document on stdout in both formats, so `ballast iam-policy > policy.json` is ready for
 * `aws iam put-role-policy`; text mode adds a short account of it on stderr.
 */
export async function iamPolicyCommand(path: string, options: IamPolicyCommandOptions, io: Io): Promise<number> {
  const revision = await loadRevision(path);
  if (revision.problems.length > 0) {
    if (options.output === 'json') writeJson(io, { valid: false, problems: revision.problems });
    else for (const p of revision.problems) io.stderr(`${formatProblem(p)}\n`);
    io.stderr(`${revision.problems.length} problem(s): no policy for an invalid revision\n`);
    return 1;
  }
  const policy = iamPolicy(revision.manifests, options);
  writeJson(io, policy);
  if (options.output === 'text') {
    const actions = new Set(policy.Statement.flatMap((s) => s.Action));
    const size = JSON.stringify(policy).length;
    io.stderr(
      `${actions.size} actions in ${policy.Statement.length} statements for ${revision.manifests.length} manifests` +
        `${options.prune ? ' (with prune)' : ''}; ${size} of the ${INLINE_POLICY_LIMIT} characters a role's inline policies may hold\n`,
    );
  }
  return 0;
}
