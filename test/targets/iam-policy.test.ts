import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { EU, targetRepository, US } from '../support/accounts.js';
import type { PolicyDocument } from '../../src/iam/document.js';

interface ByTarget {
  controller: PolicyDocument;
  targets: { target: string; roleArn: string; policy: PolicyDocument }[];
}

const actions = (p: PolicyDocument) => new Set(p.Statement.flatMap((s) => s.Action));
const resources = (p: PolicyDocument, action: string) => p.Statement.filter((s) => s.Action.includes(action)).flatMap((s) => s.Resource);

describe('ballast iam-policy with Targets', () => {
  it("prints the controller's policy, assuming exactly the target roles, and one policy per target role in its account and region", async () => {
    const { dir } = await targetRepository('ballast');
    const run = await runCli(['iam-policy', dir, '--lease-table', 'ballast-leases']);
    expect(run.code).toBe(0);
    const out = run.json<ByTarget>();
    const euRole = `arn:aws:iam::${EU.account}:role/ballast`;
    const usRole = `arn:aws:iam::${US.account}:role/ballast`;
    expect(resources(out.controller, 'sts:AssumeRole')).toEqual([euRole, usRole]);
    // Both targets pass session tags.
    expect(resources(out.controller, 'sts:TagSession')).toEqual([euRole, usRole]);
    // The manifests are all in targets: the controller's own account gets no alarm writes, only its lease table.
    expect(actions(out.controller).has('cloudwatch:PutMetricAlarm')).toBe(false);
    expect(actions(out.controller).has('dynamodb:PutItem')).toBe(true);

    expect(out.targets.map((t) => [t.target, t.roleArn])).toEqual([
      [EU.name, euRole],
      [US.name, usRole],
    ]);
    for (const [t, place] of [[out.targets[0]!, EU], [out.targets[1]!, US]] as const) {
      expect(actions(t.policy).has('sts:AssumeRole')).toBe(false);
      expect(actions(t.policy).has('dynamodb:PutItem')).toBe(false);
      expect(resources(t.policy, 'cloudwatch:PutMetricAlarm').every((arn) => arn.startsWith(`arn:aws:cloudwatch:${place.region}:${place.account}:alarm:`))).toBe(true);
      expect(resources(t.policy, 'cloudwatch:PutMetricAlarm').length).toBeGreaterThan(0);
    }
  });

  it('refuses --check with Targets rather than checking only part of what is needed', async () => {
    const { dir } = await targetRepository('ballast');
    const run = await runCli(['iam-policy', dir, '--check', 'policy.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--check and --read-only take a revision without Targets');
  });
});
