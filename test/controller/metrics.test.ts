import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import parsePrometheus, { type MetricFamily } from 'parse-prometheus-text-format';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { loadRevision } from '../../src/validate/index.js';
import { RECONCILED_KINDS } from '../../src/engine/registry.js';
import { useMoto } from '../support/moto.js';
import { nextReconcile, startTestController, useControllerEstate } from '../support/controller.js';

const moto = useMoto();

/** /metrics parsed by a Prometheus text-format parser: a malformed exposition fails here. */
async function scrape(url: string): Promise<MetricFamily[]> {
  return parsePrometheus(await (await fetch(`${url}/metrics`)).text());
}

function series(families: MetricFamily[], name: string): { labels: Record<string, string>; value: number }[] {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no ${name} in /metrics`);
  return family.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }));
}

const valueOf = (families: MetricFamily[], name: string, labels: Record<string, string>) =>
  series(families, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('/metrics, as Prometheus scrapes it', () => {
  const estate = useControllerEstate(moto);

  it('starts every labelled series at zero and exports build, process and Node.js metrics', async () => {
    ({ running: estate.running } = await startTestController({ repoUrl: estate.repo.url, slackWebhookUrl: await estate.slack.start(), driftSchedule: '0 0 1 1 *' }));
    const m = await scrape(estate.running.url);
    const version = (JSON.parse(await readFile('package.json', 'utf8')) as { version: string }).version;
    expect(series(m, 'ballast_build_info')).toEqual([{ labels: { version, node: process.version }, value: 1 }]);
    for (const kind of RECONCILED_KINDS) {
      expect(valueOf(m, 'ballast_drift_detected_total', { kind })).toBe(0);
      expect(valueOf(m, 'ballast_corrections_total', { kind })).toBe(0);
    }
    expect(valueOf(m, 'ballast_webhook_requests_total', { code: '202' })).toBe(0);
    expect(valueOf(m, 'ballast_slack_messages_total', { outcome: 'failed' })).toBe(0);
    expect(valueOf(m, 'ballast_reconciles_total', { result: 'invalid' })).toBe(0);
    expect(series(m, 'process_cpu_user_seconds_total')[0]!.value).toBeGreaterThan(0);
    expect(series(m, 'nodejs_heap_size_used_bytes')[0]!.value).toBeGreaterThan(0);
  });

  it('has one resource_info series per managed resource, and counts drift, corrections, webhook codes and Slack outcomes', async () => {
    ({ running: estate.running } = await startTestController({ repoUrl: estate.repo.url, slackWebhookUrl: await estate.slack.start(), webhookSecret: 'secret' }));
    const manifests = (await loadRevision('desired-state')).manifests.filter((x) => (RECONCILED_KINDS as readonly string[]).includes(x.kind));
    const info = series(await scrape(estate.running.url), 'ballast_resource_info');
    expect(info).toHaveLength(manifests.length);
    expect(info.find((s) => s.labels.name === 'storefront-cpu-high')).toEqual({
      labels: { kind: 'Alarm', name: 'storefront-cpu-high', status: 'create', mode: 'enforce', suspended: 'false' },
      value: 1,
    });

    const alarm = (await estate.aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }))).MetricAlarms![0]!;
    await estate.aws.cloudwatch.send(new PutMetricAlarmCommand({ ...alarm, Threshold: 99 } as never));
    // A health read of the first rollouts may be running: wait for the scan itself, not whichever run ends next.
    const scan = nextReconcile(estate.running.controller, (s) => s.triggers.includes('drift-scan'));
    estate.running.controller.trigger('drift-scan');
    await scan;
    const unsigned = await fetch(`${estate.running.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);

    const m = await scrape(estate.running.url);
    expect(valueOf(m, 'ballast_drift_detected_total', { kind: 'Alarm' })).toBe(1);
    expect(valueOf(m, 'ballast_corrections_total', { kind: 'Alarm' })).toBe(1);
    expect(valueOf(m, 'ballast_drift_detected_total', { kind: 'EcsService' })).toBe(0);
    expect(valueOf(m, 'ballast_webhook_requests_total', { code: '401' })).toBe(1);
    expect(valueOf(m, 'ballast_slack_messages_total', { outcome: 'sent' })).toBe(estate.slack.messages.length);
    expect(estate.slack.messages.length).toBeGreaterThanOrEqual(2);
    expect(series(m, 'ballast_resource_info').filter((s) => s.labels.status === 'in-sync').length).toBeGreaterThan(0);
  });
});
