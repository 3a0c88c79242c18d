import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { useMoto } from '../support/moto.js';
import { createRole, EU, targetYaml } from '../support/accounts.js';
import { openSession } from '../../src/observe/context.js';
import { TargetSessions } from '../../src/targets/sessions.js';
import type { Target } from '../../src/schema/index.js';

const moto = useMoto();

describe('the clients of shared targets', () => {
  it("send to a target only while this replica holds it, whatever the leader lease, and assume roles for held targets", async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createRole(moto.endpoint, EU.account, 'ballast', EU.externalId);
    const eu = parse(targetYaml(EU.name, EU.account, EU.region, 'ballast', EU.externalId)) as Target;
    const held = new Set(['prod-eu']);
    // A replica that does not lead: its own (leader-gated) session sends nothing.
    const base = openSession({ controllerId: 'ci', sendGate: () => false });
    const sessions = new TargetSessions(base, { gateOf: (target) => () => held.has(target ?? '(default)') });
    const alarms = (target: Target | undefined) => sessions.for(target).aws.cloudwatch.send(new DescribeAlarmsCommand({}));

    await expect(alarms(eu)).resolves.toMatchObject({ MetricAlarms: [] });
    await expect(alarms(undefined)).rejects.toMatchObject({ code: 'LeaseLost' });
    // The target lost (a release, a renew deadline passed): the same clients send nothing more to its account.
    held.delete('prod-eu');
    await expect(alarms(eu)).rejects.toMatchObject({ code: 'LeaseLost' });
    held.add('(default)');
    await expect(alarms(undefined)).resolves.toMatchObject({ MetricAlarms: [] });
  });
});
