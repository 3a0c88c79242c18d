import { allow, partitionOf, type Statement } from '../document.js';

/** arn:aws:sqs:<region>:<account>:<name> of a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>); `*` where the URL does not tell the region. */
export function queueArnOf(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${url} is not an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)`);
  }
  const [account, name, extra] = u.pathname.split('/').filter(Boolean);
  if (!account || !name || extra) throw new Error(`${url} is not an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)`);
  const region = /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(u.hostname)?.[1] ?? '*';
  return `arn:${partitionOf(region)}:sqs:${region}:${account}:${name}`;
}

/** --events-queue: receive and delete on that queue only (DeleteMessageBatch is authorised as sqs:DeleteMessage). */
export function eventsQueueStatements(queueUrl: string): Statement[] {
  return [allow('ChangeEventsQueue', ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], [queueArnOf(queueUrl)])];
}
