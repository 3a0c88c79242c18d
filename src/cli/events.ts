import { stringify } from 'yaml';
import { applySetup, eventBridgeClient, setupTemplate, sqsClient, type EventsSetupOptions } from '../events/index.js';
import { writeJson, type Io, type OutputFormat } from './io.js';

export interface EventsSetupCommandOptions extends EventsSetupOptions {
  apply: boolean;
  awsTimeout: number;
  output: OutputFormat;
}

/**
 * Without --apply: prints the EventBridge rules, the queue, its policy and the dead-letter queue as a CloudFormation
 * template (YAML, or JSON with --output json), no AWS calls. With --apply: creates them in the current account and
 * region, and prints the queue URL to give `ballast run --events-queue`.
 */
export async function eventsSetupCommand(options: EventsSetupCommandOptions, io: Io): Promise<number> {
  if (!options.apply) {
    const template = setupTemplate(options);
    if (options.output === 'json') writeJson(io, template);
    else io.stdout(stringify(template));
    return 0;
  }
  const result = await applySetup(options, { sqs: sqsClient(options.awsTimeout), events: eventBridgeClient(options.awsTimeout) });
  if (options.output === 'json') writeJson(io, result);
  else {
    io.stdout(`${result.queueUrl}\n`);
    io.stderr(
      `rules ${result.rules.map((r) => r.name).join(', ')} send to ${result.queueArn}; dead-letter queue ${result.deadLetterQueueUrl} after ${options.maxReceiveCount} receives\n` +
        `run the controller with --events-queue ${result.queueUrl}\n`,
    );
  }
  return 0;
}
