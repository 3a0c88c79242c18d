import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeAlarmsCommand, GetDashboardCommand, PutDashboardCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';
import { loadRevision } from '../../src/validate/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { buildShopEstate } from '../support/estate/index.js';
import { runCli } from '../support/cli.js';
import { editTask, HAND_CHANGES } from '../support/hand-changes.js';

const moto = useMoto();

interface PlanJson {
  resources: { key: string; status: string; changes: { path: string; live: unknown; desired: unknown }[] }[];
}

async function planJson() {
  const run = await runCli(['plan', 'desired-state', '--detailed-exitcode', '--output', 'json']);
  const changes = run.json<PlanJson>().resources.flatMap((r) => r.changes.map((c) => ({ key: r.key, ...c })));
  return { code: run.code, changes, statuses: run.json<PlanJson>().resources.map((r) => r.status) };
}

describe('ballast plan and drift against an estate built by hand', () => {
  let aws: Aws;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
    const net = await createNetwork(aws);
    await buildShopEstate(aws, net, (await loadRevision('desired-state')).manifests);
  });

  it('reports no change when the live estate matches desired-state/', async () => {
    const { code, changes, statuses } = await planJson();
    expect(changes).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set(['in-sync']));
    expect(code).toBe(0);
    const drift = await runCli(['drift', 'desired-state']);
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain('No drift');
  });

  it.each(HAND_CHANGES.map((h) => [h.what, h.change, h.drift] as const))('names the resource and field when someone changes %s by hand (exit 2)', async (_what, change, expected) => {
    await change(aws);
    const { code, changes } = await planJson();
    expect(changes).toEqual([expect.objectContaining(expected)]);
    expect(code).toBe(2);
    const drift = await runCli(['drift', 'desired-state']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(`${expected.key}`);
    expect(drift.stdout).toContain(`${expected.path}: ${JSON.stringify(expected.live)} -> ${JSON.stringify(expected.desired)}`);
  });

  it('shows a secret-looking value someone put in a task definition as (sensitive), in text and in JSON', async () => {
    await editTask(aws, 'checkout', (td) => {
      const [app] = td.containerDefinitions as { environment: { name: string; value: string }[] }[];
      app!.environment.push({ name: 'DB_PASSWORD', value: 'hunter2-plaintext' });
    });
    const text = await runCli(['plan', 'desired-state']);
    expect(text.stdout).toMatch(/spec\.containers\[app\]\.environment: .*"DB_PASSWORD":"\(sensitive\)"/);
    const json = await runCli(['plan', 'desired-state', '--output', 'json']);
    const change = json.json<PlanJson>().resources.find((r) => r.key === 'EcsService/checkout')?.changes[0];
    expect(change).toMatchObject({ path: 'spec.containers[app].environment', live: expect.objectContaining({ DB_PASSWORD: '(sensitive)', LOG_LEVEL: 'info' }) });
    for (const out of [text.stdout, text.stderr, json.stdout, json.stderr]) expect(out).not.toContain('hunter2');
  });

  it('reports a dashboard widget edited in the console', async () => {
    const body = JSON.parse((await aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: 'shop' }))).DashboardBody!) as { widgets: { properties: Record<string, unknown> }[] };
    body.widgets[0]!.properties.markdown = '# edited by hand';
    await aws.cloudwatch.send(new PutDashboardCommand({ DashboardName: 'shop', DashboardBody: JSON.stringify(body) }));
    const { code, changes } = await planJson();
    expect(changes).toEqual([expect.objectContaining({ key: 'Dashboard/shop', path: 'body.widgets[0]' })]);
    expect(code).toBe(2);
  });

  it('ignores unmanaged fields, reordered lists and a desiredCount moved by the autoscaler (exit 0)', async () => {
    // The autoscaler scaled storefront out.
    await aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: 'storefront', desiredCount: 9 }));
    // The alarm's dimensions (ServiceName before ClusterName) in another order.
    const a = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }))).MetricAlarms![0]!;
    expect(a.Dimensions).toHaveLength(2);
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...a, Dimensions: [...a.Dimensions!].reverse() } as never));
    const reordered = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }))).MetricAlarms![0]!;
    expect(reordered.Dimensions?.map((d) => d.Name)).toEqual([...a.Dimensions!].reverse().map((d) => d.Name));
    // An RDS setting the manifest leaves out.
    await aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'shop-db', CACertificateIdentifier: 'rds-ca-rsa4096-g1', ApplyImmediately: true }));
    // The service's subnets in another order.
    const svc = (await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['worker'] }))).services![0]!;
    const vpc = svc.networkConfiguration!.awsvpcConfiguration!;
    await aws.ecs.send(
      new UpdateServiceCommand({ cluster: 'shop', service: 'worker', networkConfiguration: { awsvpcConfiguration: { ...vpc, subnets: [...vpc.subnets!].reverse() } } }),
    );
    const { code, changes } = await planJson();
    expect(changes).toEqual([]);
    expect(code).toBe(0);
  });
});
