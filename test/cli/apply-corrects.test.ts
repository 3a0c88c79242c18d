import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GetDashboardCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { isReadOperation } from '../../src/aws/counter.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { runCli } from '../support/cli.js';
import { HAND_CHANGES } from '../support/hand-changes.js';

const moto = useMoto();

interface ApplyJson {
  actions: { key: string; calls: { service: string; operation: string; input: Record<string, unknown> }[] }[];
  calls: Record<string, number>;
}

const writes = (out: ApplyJson) =>
  Object.entries(out.calls)
    .filter(([k]) => !isReadOperation(k.split(':')[1] ?? ''))
    .flatMap(([k, n]) => Array.from({ length: n }, () => k.split(':').slice(0, 2).join(':')))
    .sort();

async function apply(): Promise<{ code: number; out: ApplyJson }> {
  const run = await runCli(['apply', 'desired-state', '--yes', '--output', 'json', '--poll-interval', '0.05']);
  return { code: run.code, out: run.json<ApplyJson>() };
}

describe('ballast apply puts back what was changed by hand', () => {
  beforeAll(() => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
  });
  beforeEach(async () => {
    await createNetwork(moto.aws());
    expect((await apply()).code).toBe(0);
  });

  it.each(HAND_CHANGES.map((h) => [h.what, h] as const))('%s, writing only that', async (_what, h) => {
    await h.change(moto.aws());
    const fixed = await apply();
    expect(fixed.code).toBe(0);
    expect(writes(fixed.out)).toEqual([...h.fix].sort());
    expect(fixed.out.actions.map((a) => a.key)).toEqual([h.drift.key]);
    if (h.drift.key.startsWith('DbInstance/')) {
      // Only the drifted field goes to RDS, with the identifier and the maintenance-window choice.
      const modify = fixed.out.actions.flatMap((a) => a.calls).find((c) => c.operation === 'ModifyDBInstance');
      expect(modify?.input).toMatchObject({ DBInstanceIdentifier: 'shop-db', ApplyImmediately: false });
      expect(Object.keys(modify?.input ?? {})).toHaveLength(3);
    }
    const after = await runCli(['plan', 'desired-state', '--detailed-exitcode']);
    expect(after.code).toBe(0);
    if (h.waitsForWindow) {
      // RDS holds the fix: pending until the window, and never sent again meanwhile.
      expect(after.stdout).toContain(`${h.drift.path}: ${JSON.stringify(h.drift.live)} -> ${JSON.stringify(h.drift.desired)} (pending at AWS)`);
      expect(await moto.openMaintenanceWindow()).toEqual(['shop-db']);
    }
    expect((await runCli(['plan', 'desired-state'])).stdout).toContain('No changes');
  });

  it('a dashboard edited in the console, with one PutDashboard', async () => {
    const aws = moto.aws();
    const body = JSON.parse((await aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: 'shop' }))).DashboardBody!) as { widgets: unknown[] };
    await aws.cloudwatch.send(new PutDashboardCommand({ DashboardName: 'shop', DashboardBody: JSON.stringify({ ...body, widgets: body.widgets.slice(1) }) }));
    const fixed = await apply();
    expect(writes(fixed.out)).toEqual(['cloudwatch:PutDashboard']);
    expect((await runCli(['plan', 'desired-state', '--detailed-exitcode'])).code).toBe(0);
  });
});
