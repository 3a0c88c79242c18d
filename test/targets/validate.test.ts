import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import { placements } from '../../src/targets/placement.js';
import { tempDir } from '../support/temp.js';

// 1 apiVersion, 2 kind, 4 name, 6 accountId, 7 region, 8 roleArn
const target = (name: string, account: string, region: string, roleAccount = account) => `apiVersion: ballast.dev/v1alpha1
kind: Target
metadata:
  name: ${name}
spec:
  accountId: "${account}"
  region: ${region}
  roleArn: arn:aws:iam::${roleAccount}:role/ballast
  externalId: shop-prod
  sessionTags: {team: platform}
`;

// 4 name, 5 target (when placed), then spec
const topic = (name: string, placement?: string) => `apiVersion: ballast.dev/v1alpha1
kind: Alarm
metadata:
  name: ${name}
${placement ? `  target: ${placement}\n` : ''}spec:
  metric: {namespace: AWS/ECS, name: CPUUtilization, dimensionsFrom: {ecsService: web}}
  evaluationPeriods: 5
  threshold: 80
  comparison: GreaterThanThreshold
`;

const service = (placement?: string) => `apiVersion: ballast.dev/v1alpha1
kind: EcsService
metadata:
  name: web
${placement ? `  target: ${placement}\n` : ''}spec:
  cluster: shop
  cpu: 256
  memory: 512
  containers: [{name: app, image: "nginx:1.27"}]
  network: {subnets: [private-a, private-b], securityGroups: [web]}
`;

async function revision(files: Record<string, string>) {
  const dir = await tempDir('targets');
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const loaded = await loadRevision(dir);
  return { loaded, problems: loaded.problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.col}: ${p.message}`) };
}

describe('Target manifests and placement', () => {
  it('places each manifest in its target, the unplaced ones in the default target', async () => {
    const { loaded, problems } = await revision({
      'prod.yaml': target('prod', '111111111111', 'eu-west-1'),
      'web.yaml': service('prod'),
      'cpu.yaml': topic('web-cpu', 'prod'),
      'other.yaml': topic('other-cpu').replace('ecsService: web', 'dbInstance: db').replace('dimensionsFrom: {dbInstance: db}', 'dimensions: {DBInstanceIdentifier: db}'),
    });
    expect(problems).toEqual([]);
    const split = placements(loaded.manifests).map((p) => ({ name: p.name, keys: p.manifests.map((m) => `${m.kind}/${m.metadata.name}`) }));
    expect(split).toEqual([
      { name: undefined, keys: ['Alarm/other-cpu'] },
      { name: 'prod', keys: ['Alarm/web-cpu', 'EcsService/web'] },
    ]);
  });

  it('reports a manifest naming an unknown target at its metadata.target', async () => {
    const { problems } = await revision({ 'prod.yaml': target('prod', '111111111111', 'eu-west-1'), 'web.yaml': service('prd') });
    expect(problems).toEqual(['web.yaml:5:11: metadata.target: Target "prd" not found in this revision (did you mean "prod"?)']);
  });

  it('reports a reference from one target into another', async () => {
    const { problems } = await revision({
      'prod.yaml': target('prod', '111111111111', 'eu-west-1'),
      'web.yaml': service('prod'),
      'cpu.yaml': topic('web-cpu'),
    });
    expect(problems).toEqual([
      'cpu.yaml:6:83: spec.metric.dimensionsFrom.ecsService: EcsService "web" is in target "prod", this Alarm in the default target: references cross no target',
    ]);
  });

  it("reports a role of another account, a Target placed in a target, and two targets in one account and region", async () => {
    const { problems } = await revision({
      'a.yaml': target('prod-a', '111111111111', 'eu-west-1', '222222222222'),
      'b.yaml': target('prod-b', '111111111111', 'eu-west-1').replace('  name: prod-b\n', '  name: prod-b\n  target: prod-a\n'),
    });
    expect(problems).toEqual([
      'a.yaml:7:11: spec.region: Target "prod-b" is already account 111111111111 in eu-west-1: one target per account and region',
      'a.yaml:8:12: spec.roleArn: is a role of account 222222222222, not of accountId 111111111111',
      'b.yaml:5:11: metadata.target: a Target is not placed in another target',
      'b.yaml:8:11: spec.region: Target "prod-a" is already account 111111111111 in eu-west-1: one target per account and region',
    ]);
  });

  it('rejects a Target whose account id or role ARN is malformed', async () => {
    const { problems } = await revision({ 'a.yaml': target('prod-a', '1234', 'eu-west-1').replace('role/ballast', 'user/ballast') });
    expect(problems.length).toBe(2);
    expect(problems[0]).toMatch(/^a\.yaml:6:\d+: spec\.accountId/);
    expect(problems[1]).toMatch(/^a\.yaml:8:\d+: spec\.roleArn/);
  });
});
