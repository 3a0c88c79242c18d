/**
 * An AWS change event as EventBridge delivers it to an SQS queue: a CloudTrail management event ("AWS API Call via
 * CloudTrail") or an ECS/RDS service event. Only the fields Ballast uses are kept.
 */
export interface ChangeEvent {
  id: string;
  source: string;
  detailType: string;
  /** When AWS saw the change (the envelope's `time`), for the event-to-correction time. */
  time?: string;
  /** Where it happened (the envelope's `account` and `region`): which target's resources it can touch. */
  account?: string;
  region?: string;
  /** CloudTrail: the API call. */
  eventName?: string;
  /** CloudTrail: who made it (an IAM user, or an assumed role with its session name). */
  actor?: string;
  requestParameters: Record<string, unknown>;
  /** ARNs the event names (service events name their resource here). */
  resources: string[];
}

/** A message that is not an EventBridge event at all: dropped, with this reason in the log. */
export class MalformedEvent extends Error {}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Parses an SQS message body; throws MalformedEvent for anything but an EventBridge envelope. */
export function parseEvent(body: string | undefined): ChangeEvent {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    throw new MalformedEvent('not JSON');
  }
  if (!isRecord(value)) throw new MalformedEvent('not a JSON object');
  const source = str(value.source);
  const detailType = str(value['detail-type']);
  if (!source || !detailType || !isRecord(value.detail)) throw new MalformedEvent('not an EventBridge event (source, detail-type and detail are required)');
  const detail = value.detail;
  const identity = isRecord(detail.userIdentity) ? detail.userIdentity : {};
  return {
    id: str(value.id) ?? '',
    source,
    detailType,
    time: str(value.time),
    account: str(value.account),
    region: str(value.region),
    eventName: str(detail.eventName),
    actor: str(identity.arn),
    requestParameters: isRecord(detail.requestParameters) ? detail.requestParameters : {},
    resources: Array.isArray(value.resources) ? value.resources.filter((r): r is string => typeof r === 'string') : [],
  };
}
