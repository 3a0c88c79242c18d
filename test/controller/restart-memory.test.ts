import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type ControllerConfig } from '../../src/controller/config.js';
import type { ReconcileSummary } from '../../src/controller/controller.js';
import { useMoto } from '../support/moto.js';
import { within } from '../support/wait.js';
import { HAND_REMOVALS } from '../support/hand-changes.js';
import { startTestController, useControllerEstate } from '../support/controller.js';

const moto = useMoto();

// A controller restarted between its apply and a deletion by hand still knows the resource was in place: with
// --lease-table the resources seen in place are kept in that table, not only in the process.
describe('ballast run across a restart', () => {
  const estate = useControllerEstate(moto);

  /** Starts a controller and waits for its first reconcile. */
  async function start(overrides: Partial<ControllerConfig>): Promise<ReconcileSummary> {
    const started = await startTestController({ repoUrl: estate.repo.url, slackWebhookUrl: await estate.slack.start(), ...overrides });
    estate.running = started.running;
    return started.first;
  }

  async function restartAfterHandDeletion(overrides: Partial<ControllerConfig>): Promise<string[]> {
    expect((await start(overrides)).result).toBe('success');
    await estate.running!.stop();
    estate.running = undefined;
    await HAND_REMOVALS.deleteAlarm(estate.aws, 'worker-memory-high');
    const before = estate.slack.messages.length;
    const summary = await start(overrides);
    expect(summary.writes).toBeGreaterThan(0);
    await estate.slack.received(before + 1);
    return estate.slack.texts().slice(before);
  }

  it('with --lease-table, calls a resource deleted by hand after a restart "deleted by hand", not a create', async () => {
    const texts = await restartAfterHandDeletion({ leaseTable: 'ballast-leases' });
    expect(texts.join('\n')).toContain('Alarm/worker-memory-high deleted by hand, recreated');
    // What the table keeps: one item per controller id, a digest per resource seen in place.
    const dynamo = new DynamoDBClient({});
    const { Item } = await dynamo.send(new GetItemCommand({ TableName: 'ballast-leases', Key: { name: { S: 'seen/ballast' } } }));
    expect(Item?.resources?.M?.['Alarm/worker-memory-high']?.S).toMatch(/^[0-9a-f]{32}$/);
  });

  it('prunes under the default controller id only what it recorded itself, not another team\'s "ballast"-tagged alarm', async () => {
    const overrides = { leaseTable: 'ballast-leases', prune: true };
    expect((await start(overrides)).result).toBe('success');
    // The alarms it created are recorded once a reconcile finds them in place, with their tags.
    const next = new Promise<ReconcileSummary>((resolve) => estate.running!.controller.once('reconciled', resolve));
    estate.running!.controller.trigger('drift-scan');
    expect((await within(next, 'a drift scan')).result).toBe('success');
    await estate.running!.stop();
    estate.running = undefined;
    // Another team's Ballast, also under the default id, in the same account: the same tags, a manifest of theirs.
    await estate.aws.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'billing-errors',
        Namespace: 'Billing',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Tags: [
          { Key: 'ballast.dev/managed-by', Value: 'ballast' },
          { Key: 'ballast.dev/manifest', Value: 'Alarm/billing-errors' },
        ],
      }),
    );
    await rm(path.join(estate.repo.work, 'desired-state', 'alarms', 'load-balancer.yaml'));
    await estate.repo.push('Drop the load balancer alarms');

    await start(overrides);
    const alarms = async (...names: string[]) =>
      ((await estate.aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms ?? []).map((a) => a.AlarmName);
    // Its own, recorded in the lease table while their manifests were in place: deleted, after a restart too.
    expect(await alarms('storefront-unhealthy-hosts', 'storefront-tcp-resets')).toEqual([]);
    // The other team's: the tags alone prove nothing, so the delete is refused and said why.
    expect(await alarms('billing-errors')).toEqual(['billing-errors']);
    const status = (await (await fetch(`${estate.running!.url}/status`)).json()) as { resources: { key: string; status: string; note?: string }[] };
    expect(status.resources.find((r) => r.key === 'Alarm/billing-errors')).toMatchObject({
      status: 'prune',
      note: expect.stringContaining('prune with the default controller id "ballast" could delete another team\'s resources'),
    });
  });

  it('without it, a restart forgets, as documented: the recreated resource is reported as applied from Git', async () => {
    const texts = await restartAfterHandDeletion({});
    expect(texts.join('\n')).not.toContain('deleted by hand');
    expect(texts.join('\n')).toContain('Alarm/worker-memory-high');
  });
});
