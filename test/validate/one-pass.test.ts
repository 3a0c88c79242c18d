import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// One file with a misspelt kind, schema errors, rule errors and misspelt references. Before validation ran in one
// pass it took three: the kind and the threshold type first, then cluster, minTasks and the references, then the
// task size and the load balancer port of the document whose kind was wrong.
const BILLING = `apiVersion: ballast.dev/v1alpha1
kind: EcsServce
metadata:
  name: billing-api
spec:
  cluster: ""
  cpu: 256
  memory: 333
  containers:
    - name: app
      image: billing:1.4
      ports: [{containerPort: 8080}]
  network: {subnets: [private-a, private-b], securityGroups: [billing]}
  loadBalancer: {targetGroup: billing, containerName: app, containerPort: 9090}
---
apiVersion: ballast.dev/v1alpha1
kind: ServiceAutoscaling
metadata:
  name: billing
spec:
  service: biling-api
  minTasks: 8
  maxTasks: 4
  cpu: {targetValue: high}
---
apiVersion: ballast.dev/v1alpha1
kind: Alarm
metadata:
  name: billing-cpu
spec:
  metric:
    namespace: AWS/ECS
    name: CPUUtilization
    dimensionsFrom: {ecsService: biling-api}
  evaluationPeriods: 5
  threshold: high
  comparison: GreaterThanTreshold
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ballast-one-pass-'));
  await writeFile(path.join(dir, 'billing.yaml'), BILLING);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ballast validate in one pass', () => {
  it('reports schema, rule and reference errors of every document at once, each at its file:line:col', async () => {
    const run = await runCli(['validate', dir]);
    const lines = run.stdout.split('\n').filter(Boolean).map((l) => l.slice(l.indexOf('billing.yaml')));
    expect(lines).toEqual([
      'billing.yaml:2:7: EcsServce/billing-api: kind: must be one of "EcsService", "ServiceAutoscaling", "DbInstance", "Alarm", "Dashboard", "RestoreDrill", "Target" (did you mean "EcsService"?), got "EcsServce"',
      'billing.yaml:6:12: EcsServce/billing-api: spec.cluster: must not be empty',
      'billing.yaml:8:11: EcsServce/billing-api: spec.memory: 333 MiB is not valid with cpu 256 on Fargate (valid: 512, 1024, 2048)',
      'billing.yaml:14:75: EcsServce/billing-api: spec.loadBalancer.containerPort: container "app" does not expose port 9090',
      'billing.yaml:21:12: ServiceAutoscaling/billing: spec.service: EcsService "biling-api" not found in this revision (did you mean "billing-api"?)',
      'billing.yaml:22:13: ServiceAutoscaling/billing: spec.minTasks: 8 is greater than maxTasks (4)',
      'billing.yaml:24:22: ServiceAutoscaling/billing: spec.cpu.targetValue: must be a number, got string "high"',
      'billing.yaml:34:34: Alarm/billing-cpu: spec.metric.dimensionsFrom.ecsService: EcsService "biling-api" not found in this revision (did you mean "billing-api"?)',
      'billing.yaml:36:14: Alarm/billing-cpu: spec.threshold: must be a number, got string "high"',
      expect.stringMatching(/^billing\.yaml:37:15: Alarm\/billing-cpu: spec\.comparison: must be one of .* \(did you mean "GreaterThanThreshold"\?\), got "GreaterThanTreshold"$/),
    ]);
    expect(run.stderr).toContain('10 problem(s)');
    expect(run.code).toBe(1);
  });

  it('leaves nothing for a second pass: fixing what it reported makes the revision valid', async () => {
    const fixes: [string, string][] = [
      ['kind: EcsServce', 'kind: EcsService'],
      ['cluster: ""', 'cluster: billing'],
      ['memory: 333', 'memory: 512'],
      ['containerPort: 9090', 'containerPort: 8080'],
      ['service: biling-api', 'service: billing-api'],
      ['minTasks: 8', 'minTasks: 2'],
      ['targetValue: high', 'targetValue: 60'],
      ['ecsService: biling-api', 'ecsService: billing-api'],
      ['threshold: high', 'threshold: 80'],
      ['GreaterThanTreshold', 'GreaterThanThreshold'],
    ];
    const fixed = fixes.reduce((text, [from, to]) => {
      expect(text).toContain(from);
      return text.replace(from, to);
    }, BILLING);
    await writeFile(path.join(dir, 'billing.yaml'), fixed);
    const run = await runCli(['validate', dir]);
    expect(run.stdout + run.stderr).not.toContain('problem');
    expect(run.code).toBe(0);
  });
});
