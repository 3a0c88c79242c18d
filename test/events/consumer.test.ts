import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { EventConsumer, sqsClient } from '../../src/events/index.js';
import { DEFAULT_AWS_TIMEOUT } from '../../src/aws/timeout.js';
import { loadRevision } from '../../src/validate/index.js';
import { useMoto } from '../support/moto.js';
import { within } from '../support/wait.js';

const moto = useMoto();

const alarmChanged = (alarmName: string) =>
  JSON.stringify({
    version: '0',
    id: 'e1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.monitoring',
    resources: [],
    detail: { eventName: 'PutMetricAlarm', userIdentity: { arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' }, requestParameters: { alarmName } },
  });

describe('the events consumer', () => {
  it('reads the queue again when leadership comes back while its previous stop is still ending', async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const sqs = sqsClient(DEFAULT_AWS_TIMEOUT);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'events' }))).QueueUrl!;
    const { manifests } = await loadRevision('desired-state');
    let handOver!: (keys: string[]) => void;
    const handedOver = new Promise<string[]>((resolve) => (handOver = resolve));
    const consumer = new EventConsumer({
      queueUrl,
      sqs,
      self: async () => 'arn:aws:sts::123456789012:assumed-role/ballast/task',
      region: async () => 'us-east-1',
      sessionName: 'ballast-ballast',
      manifests: () => manifests,
      onResources: (keys) => handOver(keys),
      coalesceMs: 100,
      logger: pino({ level: 'silent' }),
      count: () => undefined,
    });
    consumer.start();
    // Standby, then leading again before the long poll of the first term has ended.
    const stopping = consumer.stop();
    consumer.start();
    await stopping;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: alarmChanged('storefront-cpu-high') }));
    try {
      expect(await within(handedOver, 'the event handed over')).toEqual(['Alarm/storefront-cpu-high']);
    } finally {
      await consumer.stop();
    }
  });
});
