import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DescribeRuleCommand, PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { parse } from 'yaml';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Aws } from '../../src/aws/clients.js';
import { controllerLogger, startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS, type ControllerConfig } from '../../src/controller/config.js';
import type { ReconcileSummary } from '../../src/controller/controller.js';
import { eventBridgeClient, sqsClient } from '../../src/events/index.js';
import { DEFAULT_AWS_TIMEOUT } from '../../src/aws/timeout.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { EmulatorRecorder } from '../support/recorder.js';
import { runCli } from '../support/cli.js';
import { within } from '../support/wait.js';
import { tempDir } from '../support/temp.js';
import { settled } from '../support/controller.js';

const moto = useMoto();
const ALARM = 'storefront-cpu-high';
const HAND = 'arn:aws:sts::123456789012:assumed-role/Admin/alice';
const COALESCE_SECONDS = 1;

/** What EventBridge makes of a CloudTrail management event (PutEvents stands in for CloudTrail, which moto lacks). */
const apiCall = (eventName: string, requestParameters: Record<string, unknown>, actor = HAND) => ({
  Source: 'aws.monitoring',
  DetailType: 'AWS API Call via CloudTrail',
  Detail: JSON.stringify({ eventSource: 'monitoring.amazonaws.com', eventName, userIdentity: { type: 'AssumedRole', arn: actor }, requestParameters }),
});

async function threshold(aws: Aws, name: string): Promise<number | undefined> {
  return (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.Threshold;
}

/** A hand change to an alarm, as someone with the console would make it. */
async function setThreshold(aws: Aws, name: string, value: number) {
  const a = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
  await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...a, Threshold: value } as never));
}

describe('ballast run --events-queue', () => {
  let repo: TestRepo;
  let running: RunningController | undefined;
  let logs: { msg: string; [k: string]: unknown }[];
  let aws: Aws;
  let sqs: SQSClient;
  let bus: EventBridgeClient;
  let queueUrl: string;

  /** The next reconcile matching, failing the test with what was seen if none comes in time. */
  function reconciled(match: (s: ReconcileSummary) => boolean): Promise<ReconcileSummary> {
    const seen: ReconcileSummary[] = [];
    return within(
      new Promise<ReconcileSummary>((resolve) => {
        const listener = (s: ReconcileSummary) => {
          seen.push(s);
          if (!match(s)) return;
          running!.controller.off('reconciled', listener);
          resolve(s);
        };
        running!.controller.on('reconciled', listener);
      }),
      () => `a matching reconcile; saw ${JSON.stringify(seen)}`,
    );
  }

  /** The value of ballast_events_total for an outcome. */
  async function eventsCounted(outcome: string): Promise<number> {
    const text = await (await fetch(`${running!.url}/metrics`)).text();
    return Number(new RegExp(`ballast_events_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  }

  async function counted(expected: Record<string, number>): Promise<void> {
    const check = async () => {
      for (;;) {
        const now = Object.fromEntries(await Promise.all(Object.keys(expected).map(async (o) => [o, await eventsCounted(o)])));
        if (Object.entries(expected).every(([o, n]) => now[o] === n)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await within(check(), `events counted as ${JSON.stringify(expected)}`);
  }

  async function start(overrides: Partial<ControllerConfig> = {}) {
    const config: ControllerConfig = {
      ...CONTROLLER_DEFAULTS,
      repoUrl: repo.url,
      workdir: await tempDir('clone'),
      pollInterval: 3600,
      // No scan during a test: whatever is corrected, an event corrected it.
      driftSchedule: '0 0 1 1 *',
      port: 0,
      host: '127.0.0.1',
      healthPollInterval: 0.05,
      eventsQueue: queueUrl,
      eventsCoalesce: COALESCE_SECONDS,
      ...overrides,
    };
    logs = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString()) as never), done()) });
    const first = new Promise<ReconcileSummary>((resolve) => {
      void startController(config, controllerLogger(config, sink)).then((r) => {
        running = r;
        r.controller.once('reconciled', resolve);
      });
    });
    expect((await within(first, 'the first reconcile')).result).toBe('success');
    // The services the first run created roll out, and the health reads that follow them plan the estate again:
    // start once nothing is progressing and no run is going, so whatever is corrected, an event corrected it.
    await settled(running!.controller);
    // The consumer listens once it has told who the controller is.
    await within(
      (async () => {
        while (!logs.some((l) => l.msg === 'listening for AWS change events')) await new Promise((r) => setTimeout(r, 50));
      })(),
      'the events consumer to start',
    );
  }

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
    sqs = sqsClient(DEFAULT_AWS_TIMEOUT);
    bus = eventBridgeClient(DEFAULT_AWS_TIMEOUT);
    await createNetwork(aws);
    repo = await createRepo();
    const setup = await runCli(['events', 'setup', '--apply', '--output', 'json']);
    expect(setup.code).toBe(0);
    queueUrl = setup.json<{ queueUrl: string }>().queueUrl;
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await removeRepo(repo);
  });

  it('corrects a hand change seconds after its event reaches the bus, reading only that alarm and the service it watches', async () => {
    await start();
    await setThreshold(aws, ALARM, 99);
    const recorder = new EmulatorRecorder(moto.endpoint);
    await recorder.start();
    const corrected = reconciled((s) => s.triggers.includes('event'));
    const sent = Date.now();
    const put = await bus.send(new PutEventsCommand({ Entries: [apiCall('PutMetricAlarm', { alarmName: ALARM, threshold: 99 })] }));
    expect(put.FailedEntryCount).toBe(0);
    const summary = await corrected;
    const elapsed = Date.now() - sent;
    const received = await recorder.stop();

    expect(summary).toMatchObject({ triggers: ['event'], only: [`Alarm/${ALARM}`], result: 'success', writes: 1 });
    expect(await threshold(aws, ALARM)).toBe(85);
    console.log(`event-driven drift: hand change corrected ${elapsed} ms after its event was put on the bus (coalescing window ${COALESCE_SECONDS} s; drift scans run every 15 minutes by default with events, every minute without)`);
    expect(elapsed).toBeLessThan(15_000);

    // The emulator's own record: the reconcile read one alarm and the one service whose dimensions it uses (and that
    // service's task definition unless a health check since its creation cached it), wrote one alarm.
    const resourceCalls = received.filter((r) => ['ecs', 'rds', 'autoscaling', 'cloudwatch'].includes(r.service));
    const operations = new Set(resourceCalls.map((r) => `${r.service}:${r.operation}`));
    operations.delete('ecs:DescribeTaskDefinition');
    expect(operations).toEqual(new Set(['cloudwatch:DescribeAlarms', 'ecs:DescribeServices', 'cloudwatch:PutMetricAlarm']));
    for (const call of resourceCalls.filter((r) => r.service === 'cloudwatch')) {
      expect(JSON.stringify(call.input)).toContain(ALARM);
      expect(JSON.stringify(call.input)).not.toMatch(/checkout|catalog|worker|memory-high|unhealthy/);
    }
    for (const call of resourceCalls.filter((r) => r.service === 'ecs')) expect(JSON.stringify(call.input)).not.toMatch(/checkout|catalog|worker/);
    // /status still lists the whole estate, not only what the event named.
    const status = (await (await fetch(`${running!.url}/status`)).json()) as { resources: { key: string }[] };
    expect(status.resources.length).toBeGreaterThan(10);
  });

  it('coalesces a burst of events into one reconcile and ignores the events of its own writes', async () => {
    // SQS hands a burst over a few messages a receive: the window must outlast the gaps on a loaded machine.
    const window = 2;
    await start({ eventsCoalesce: window });
    const self = (await aws.sts.send(new GetCallerIdentityCommand({}))).Arn!;
    await setThreshold(aws, ALARM, 97);
    await setThreshold(aws, 'checkout-cpu-high', 96);
    let eventRuns = 0;
    running!.controller.on('started', (triggers) => (eventRuns += triggers.includes('event') ? 1 : 0));
    const corrected = reconciled((s) => s.triggers.includes('event'));
    await bus.send(
      new PutEventsCommand({
        Entries: [
          ...[97, 98, 97, 97].map((t) => apiCall('PutMetricAlarm', { alarmName: ALARM, threshold: t })),
          apiCall('PutMetricAlarm', { alarmName: 'checkout-cpu-high', threshold: 96 }),
          // The controller's own correction comes back as an event too: it must not start another reconcile.
          apiCall('PutMetricAlarm', { alarmName: 'worker-cpu-high', threshold: 85 }, self),
        ],
      }),
    );
    const summary = await corrected;
    await counted({ reconcile: 5, own: 1 });
    // Absence cannot be awaited: a second reconcile would start one coalescing window after the last event.
    await new Promise((r) => setTimeout(r, window * 1000 + 1000));

    expect(eventRuns).toBe(1);
    expect(new Set(summary.only)).toEqual(new Set([`Alarm/${ALARM}`, 'Alarm/checkout-cpu-high']));
    expect(summary.writes).toBe(2);
    expect(await threshold(aws, ALARM)).toBe(85);
    expect(await threshold(aws, 'checkout-cpu-high')).toBe(85);
    expect(logs.filter((l) => l.msg === 'change event')).toHaveLength(5);
  });

  it('drops malformed and foreign messages with a log line, and they never hold back the events behind them', async () => {
    await start();
    await setThreshold(aws, ALARM, 90);
    for (const body of ['not json', '{"Records":[{"eventSource":"aws:s3"}]}']) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ version: '0', id: 'x', source: 'aws.s3', 'detail-type': 'Object Created', resources: [], detail: { bucket: { name: 'b' } } }),
      }),
    );
    const corrected = reconciled((s) => s.triggers.includes('event'));
    await bus.send(new PutEventsCommand({ Entries: [apiCall('PutMetricAlarm', { alarmName: ALARM, threshold: 90 })] }));
    await corrected;
    await counted({ malformed: 2, foreign: 1, reconcile: 1 });

    expect(await threshold(aws, ALARM)).toBe(85);
    expect(logs.filter((l) => l.msg === 'event dropped: malformed message').map((l) => l.reason)).toEqual(
      expect.arrayContaining(['not JSON', expect.stringMatching(/not an EventBridge event/)]),
    );
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'event dropped: not a change Ballast watches', source: 'aws.s3' }));
    // Deleted, not left to come back: the queue is empty.
    const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes;
    expect(attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('sets up rules that let through only changes Ballast watches, and a queue that dead-letters after 5 receives', async () => {
    const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes!;
    const redrive = JSON.parse(attributes.RedrivePolicy!) as { deadLetterTargetArn: string; maxReceiveCount: number };
    expect(redrive).toEqual({ deadLetterTargetArn: expect.stringMatching(/:ballast-events-dlq$/), maxReceiveCount: 5 });
    const policy = JSON.parse(attributes.Policy!) as { Statement: { Principal: unknown; Action: string; Condition: { ArnEquals: { 'aws:SourceArn': string[] } } }[] };
    expect(policy.Statement[0]).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' });
    expect(policy.Statement[0]!.Condition.ArnEquals['aws:SourceArn']).toEqual([expect.stringMatching(/rule\/ballast-changes-api-calls$/), expect.stringMatching(/rule\/ballast-changes-service-events$/)]);

    // A call that changes nothing a manifest states (SetAlarmState) and an S3 event stay out of the queue.
    await bus.send(
      new PutEventsCommand({
        Entries: [apiCall('SetAlarmState', { alarmName: ALARM }), { Source: 'aws.s3', DetailType: 'AWS API Call via CloudTrail', Detail: JSON.stringify({ eventName: 'PutObject' }) }, apiCall('DeleteAlarms', { alarmNames: [ALARM] })],
      }),
    );
    const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }));
    expect(got.Messages?.map((m) => (JSON.parse(m.Body!) as { detail: { eventName: string } }).detail.eventName)).toEqual(['DeleteAlarms']);

    // Running it again changes nothing and gives the same queue.
    const again = await runCli(['events', 'setup', '--apply', '--output', 'json']);
    expect(again.json<{ queueUrl: string }>().queueUrl).toBe(queueUrl);
  });

  it('prints the same rules and queues as a CloudFormation template, for those who deploy with it', async () => {
    const printed = await runCli(['events', 'setup']);
    expect(printed.code).toBe(0);
    const template = parse(printed.stdout) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    expect(Object.values(template.Resources).map((r) => r.Type).sort()).toEqual(['AWS::Events::Rule', 'AWS::Events::Rule', 'AWS::SQS::Queue', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy']);
    expect(template.Resources.EventsQueue!.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
    for (const rule of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule')) {
      const applied = await bus.send(new DescribeRuleCommand({ Name: rule.Properties.Name as string }));
      expect(JSON.parse(applied.EventPattern!)).toEqual(rule.Properties.EventPattern);
    }
  });
});
