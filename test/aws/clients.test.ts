import { describe, expect, it } from 'vitest';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { createAws } from '../../src/aws/clients.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';

const moto = useMoto();

describe('AWS clients', () => {
  it('count every call by service, operation and outcome', async () => {
    const aws = moto.aws();
    await aws.cloudwatch.send(new DescribeAlarmsCommand({}));
    await aws.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'a',
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await expect(aws.ecs.send(new DescribeServicesCommand({ cluster: 'missing', services: ['x'] }))).rejects.toThrow();
    expect(aws.counter.summary()).toEqual({
      'cloudwatch:DescribeAlarms:success': 1,
      'cloudwatch:PutMetricAlarm:success': 1,
      'ecs:DescribeServices:error': 1,
    });
    expect(aws.counter.writes().map((c) => c.operation)).toEqual(['PutMetricAlarm']);
  });

  it('reach the emulator through AWS_ENDPOINT_URL alone', async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    try {
      const aws = createAws({ region: 'us-east-1' });
      const out = await aws.cloudwatch.send(new DescribeAlarmsCommand({}));
      expect(out.MetricAlarms).toEqual([]);
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
  });

  it('fixtures build the network pieces desired-state/ names', async () => {
    const net = await createNetwork(moto.aws());
    expect(Object.keys(net.subnets)).toEqual(['shop-private-a', 'shop-private-b', 'shop-private-c']);
    expect(net.targetGroups['shop-storefront']).toMatch(/^arn:aws:elasticloadbalancing:/);
  });
});
