import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CLOUDTRAIL, SERVICE_EVENTS, WATCHED } from './touched.js';
import type { EventsSetupOptions } from './defaults.js';

/** An event older than an hour is no news: a drift scan has read the estate since. */
const QUEUE_RETENTION_SECONDS = 3600;
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
const TARGET_ID = 'ballast-events-queue';

/** The two rules: CloudTrail write calls that change what manifests state, and the ECS/RDS service events. */
export function eventRules(options: Pick<EventsSetupOptions, 'ruleName'>): { name: string; description: string; pattern: object }[] {
  return [
    {
      name: `${options.ruleName}-api-calls`,
      description: 'Ballast: API calls that can change what its manifests state (CloudTrail management events)',
      pattern: { source: Object.keys(WATCHED), 'detail-type': [CLOUDTRAIL], detail: { eventName: [...new Set(Object.values(WATCHED).flat())].sort() } },
    },
    {
      name: `${options.ruleName}-service-events`,
      description: 'Ballast: ECS and RDS service events about the resources it manages',
      pattern: { source: Object.keys(SERVICE_EVENTS), 'detail-type': Object.values(SERVICE_EVENTS).flat() },
    },
  ];
}

/** Only the rules may send to the queue. */
export function queuePolicy(queueArn: unknown, ruleArns: unknown[]): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'BallastChangeEvents',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } },
      },
    ],
  };
}

const queueAttributes = (retention: number) => ({ MessageRetentionPeriod: String(retention), SqsManagedSseEnabled: 'true' });
const redrive = (dlqArn: string, maxReceiveCount: number) => JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount });

/** The same resources as a CloudFormation template, for `ballast events setup` without --apply (and deploy/). */
export function setupTemplate(options: EventsSetupOptions): object {
  const rules = eventRules(options);
  const ruleIds = ['ApiCallsRule', 'ServiceEventsRule'];
  const queueArn = { 'Fn::GetAtt': ['EventsQueue', 'Arn'] };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Ballast event-driven drift: EventBridge rules -> SQS queue (with a dead-letter queue) read by `ballast run --events-queue`',
    Resources: {
      DeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `${options.queueName}-dlq`, MessageRetentionPeriod: DLQ_RETENTION_SECONDS, SqsManagedSseEnabled: true } },
      EventsQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: options.queueName,
          MessageRetentionPeriod: QUEUE_RETENTION_SECONDS,
          SqsManagedSseEnabled: true,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, maxReceiveCount: options.maxReceiveCount },
        },
      },
      ...Object.fromEntries(
        rules.map((r, i) => [
          ruleIds[i],
          { Type: 'AWS::Events::Rule', Properties: { Name: r.name, Description: r.description, EventPattern: r.pattern, State: 'ENABLED', Targets: [{ Id: TARGET_ID, Arn: queueArn }] } },
        ]),
      ),
      EventsQueuePolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: { Queues: [{ Ref: 'EventsQueue' }], PolicyDocument: queuePolicy(queueArn, ruleIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))) },
      },
    },
    Outputs: { EventsQueueUrl: { Description: 'pass to ballast run --events-queue', Value: { Ref: 'EventsQueue' } } },
  };
}

export interface SetupResult {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  rules: { name: string; arn: string }[];
}

/**
 * Creates (or brings back in line) the dead-letter queue, the queue, the rules, the queue policy and the rules'
 * targets. Each call is create-or-replace, so running it again changes nothing.
 */
export async function applySetup(options: EventsSetupOptions, clients: { sqs: SQSClient; events: EventBridgeClient }): Promise<SetupResult> {
  const { sqs, events } = clients;
  const queue = async (name: string, attributes: Record<string, string>) => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    if (!arn) throw new Error(`SQS did not tell the ARN of queue ${name}`);
    return { url, arn };
  };
  const dlq = await queue(`${options.queueName}-dlq`, queueAttributes(DLQ_RETENTION_SECONDS));
  const main = await queue(options.queueName, { ...queueAttributes(QUEUE_RETENTION_SECONDS), RedrivePolicy: redrive(dlq.arn, options.maxReceiveCount) });
  const rules: SetupResult['rules'] = [];
  for (const r of eventRules(options)) {
    const out = await events.send(new PutRuleCommand({ Name: r.name, Description: r.description, EventPattern: JSON.stringify(r.pattern), State: 'ENABLED' }));
    rules.push({ name: r.name, arn: out.RuleArn! });
  }
  // The policy names the rules, so it goes on once they exist, and before they send anything.
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: main.url, Attributes: { Policy: JSON.stringify(queuePolicy(main.arn, rules.map((r) => r.arn))) } }));
  for (const r of rules) await events.send(new PutTargetsCommand({ Rule: r.name, Targets: [{ Id: TARGET_ID, Arn: main.arn }] }));
  return { queueUrl: main.url, queueArn: main.arn, deadLetterQueueUrl: dlq.url, rules };
}
