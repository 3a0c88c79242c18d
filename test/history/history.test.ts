import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTimeToLiveCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { RunningController } from '../../src/controller/run.js';
import { createNetwork } from '../../src/demo/network.js';
import type { HistoryEntry } from '../../src/history/store.js';
import { useMoto } from '../support/moto.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { nextReconcile, settled, startTestController } from '../support/controller.js';
import { runCli } from '../support/cli.js';
import { editManifest, setField } from '../support/manifests.js';

const moto = useMoto();
const TABLE = 'ballast-history-test';

describe('history of writes', () => {
  let repo: TestRepo;
  let running: RunningController | undefined;

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    repo = await createRepo();
  });

  afterEach(async () => {
    await running?.stop();
    await removeRepo(repo);
  });

  const history = async (...args: string[]) => {
    const run = await runCli(['history', ...args, '--history-table', TABLE, '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    return run.json<{ entries: HistoryEntry[] }>().entries;
  };

  it('records every write with revision, commit, trigger, call, result and the drift it corrected; ballast history reads it back', async () => {
    ({ running } = await startTestController({ repoUrl: repo.url, historyTable: TABLE, historyRetentionDays: 30 }));
    const sha = running.controller.revision!.sha;
    const created = await history('Alarm/storefront-cpu-high');
    expect(created).toEqual([
      expect.objectContaining({
        revision: sha,
        message: 'The shop estate',
        trigger: 'startup',
        resource: 'Alarm/storefront-cpu-high',
        calls: ['cloudwatch:PutMetricAlarm'],
        result: 'done',
        driftCorrected: [],
      }),
    ]);
    expect(created[0]!.author).not.toBe('');

    // A health read of the first rollouts would otherwise correct the hand change before the scan does.
    await settled(running.controller);
    const aws = moto.aws();
    const alarm = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }))).MetricAlarms![0]!;
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...alarm, Threshold: 99 } as never));
    const scan = nextReconcile(running.controller);
    running.controller.trigger('drift-scan');
    await scan;
    await editManifest(`${repo.work}/desired-state`, 'ServiceAutoscaling/storefront', setField(['spec', 'cpu', 'targetValue'], 45));
    await repo.push('storefront: scale on 45% CPU');
    const poll = nextReconcile(running.controller);
    running.controller.trigger('poll');
    await poll;

    const alarmHistory = await history('Alarm/storefront-cpu-high');
    expect(alarmHistory.at(-1)).toMatchObject({ trigger: 'drift-scan', driftCorrected: ['spec.threshold'], result: 'done' });
    const all = await history();
    expect(all.at(-1)).toMatchObject({ resource: 'ServiceAutoscaling/storefront', message: 'storefront: scale on 45% CPU', trigger: 'poll', driftCorrected: [] });
    expect(all.length).toBeGreaterThan(alarmHistory.length);
    // Looked at 1.5 s after storefront was created (the clock moved on, not waited for): `--since` takes in only what is newer.
    const createdAt = Date.parse((await history('EcsService/storefront'))[0]!.at);
    vi.useFakeTimers({ toFake: ['Date'], now: createdAt + 1500 });
    try {
      expect(await history('--since', '1s', 'EcsService/storefront')).toEqual([]);
      expect(await history('--since', '2s', 'EcsService/storefront')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }

    const dynamo = new DynamoDBClient({});
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
    const items = (await dynamo.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    const item = items.find((i) => i.resource?.S === 'Alarm/storefront-cpu-high')!;
    const at = (JSON.parse(item.entry!.S!) as HistoryEntry).at;
    expect(Number(item.expiresAt!.N)).toBe(Math.floor(Date.parse(at) / 1000) + 30 * 86_400);
  });

  it('says how to name the table when none is given', async () => {
    const run = await runCli(['history'], { env: {} });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('BALLAST_HISTORY_TABLE');
  });
});
