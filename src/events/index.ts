import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { CallCounter } from '../aws/counter.js';

export { EventConsumer, type EventOutcome } from './consumer.js';
export { applySetup, setupTemplate, eventRules, type SetupResult } from './setup.js';
export { EVENTS_SETUP_DEFAULTS, type EventsSetupOptions } from './defaults.js';

/** SQS and EventBridge clients from the standard AWS settings (region, credentials, AWS_ENDPOINT_URL); SQS calls counted when given a counter. */
export function sqsClient(counter?: CallCounter): SQSClient {
  const sqs = new SQSClient({});
  if (counter) sqs.middlewareStack.use(counter.plugin('sqs'));
  return sqs;
}
export const eventBridgeClient = (): EventBridgeClient => new EventBridgeClient({});
