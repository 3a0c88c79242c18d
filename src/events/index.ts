import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CallCounter } from '../aws/counter.js';
import { MAX_AWS_TIMEOUT, timeoutHandler } from '../aws/timeout.js';
import { WAIT_SECONDS } from './consumer.js';

export { EventConsumer, type EventOutcome } from './consumer.js';
export { applySetup, setupTemplate, eventRules, type SetupResult } from './setup.js';
export { EVENTS_SETUP_DEFAULTS, type EventsSetupOptions } from './defaults.js';

/**
 * SQS and EventBridge clients from the standard AWS settings (region, credentials, AWS_ENDPOINT_URL), each attempt given
 * up after `awsTimeout` seconds (0: never); SQS calls counted when given a counter.
 */
export function sqsClient(awsTimeout: number, counter?: CallCounter): SQSClient {
  const sqs = new SQSClient({ requestHandler: timeoutHandler(awsTimeout) });
  if (counter) sqs.middlewareStack.use(counter.plugin('sqs'));
  return sqs;
}
export const eventBridgeClient = (awsTimeout: number): EventBridgeClient => new EventBridgeClient({ requestHandler: timeoutHandler(awsTimeout) });

/**
 * The consumer's: a receive's answer starts only after its long poll, which may take its whole wait, so its calls get
 * that wait on top (never past Node's longest timer, which would fire at once).
 */
export const consumerSqsClient = (awsTimeout: number, counter: CallCounter): SQSClient =>
  sqsClient(awsTimeout && Math.min(awsTimeout + WAIT_SECONDS, MAX_AWS_TIMEOUT), counter);
