import { expect } from 'vitest';
import { isSecretRef } from '../../src/secrets/ref.js';
import { isReadOperation } from '../../src/aws/counter.js';
import type { AwsCall } from '../../src/engine/types.js';

/** One request as the emulator received it: the service, the operation and its parameters as sent on the wire. */
export interface ReceivedCall {
  service: string;
  operation: string;
  /** JSON protocols: the parsed body. Query protocols: `Path.To.1.Key` -> value, list member names left out. */
  input: Record<string, unknown>;
}

/** The signing name in each request's credential scope, as Ballast names the services. */
const SERVICES: Record<string, string> = {
  ecs: 'ecs',
  'application-autoscaling': 'autoscaling',
  rds: 'rds',
  monitoring: 'cloudwatch',
  ec2: 'ec2',
  elasticloadbalancing: 'elbv2',
  sns: 'sns',
  tagging: 'tagging',
  sts: 'sts',
};

interface Entry {
  headers: Record<string, string>;
  body: string | null;
  body_encoded: boolean;
}

/**
 * moto's request recorder: what the emulator itself received, independent of Ballast's counting middleware.
 * Start it right before the calls to check and take the record right after.
 */
export class EmulatorRecorder {
  constructor(private readonly endpoint: string) {}

  async start(): Promise<void> {
    await this.post('reset-recording');
    await this.post('start-recording');
  }

  /** Stops recording and returns every AWS request received since start, in arrival order. */
  async stop(): Promise<ReceivedCall[]> {
    await this.post('stop-recording');
    const text = await (await this.post('download-recording', 'GET')).text();
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => parseEntry(JSON.parse(line) as Entry));
  }

  private async post(action: string, method = 'POST'): Promise<Response> {
    const res = await fetch(`${this.endpoint}/moto-api/recorder/${action}`, { method });
    if (!res.ok) throw new Error(`emulator recorder ${action}: ${res.status}`);
    return res;
  }
}

function header(entry: Entry, name: string): string {
  return Object.entries(entry.headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
}

function parseEntry(entry: Entry): ReceivedCall {
  const body = entry.body_encoded ? Buffer.from(entry.body ?? '', 'base64').toString('utf8') : (entry.body ?? '');
  const scope = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(header(entry, 'authorization'))?.[1] ?? 'unknown';
  const service = SERVICES[scope] ?? scope;
  const target = header(entry, 'x-amz-target');
  if (target) return { service, operation: target.slice(target.lastIndexOf('.') + 1), input: JSON.parse(body || '{}') as Record<string, unknown> };
  const params = new URLSearchParams(body);
  const input = [...params].filter(([k]) => k !== 'Action' && k !== 'Version').map(([k, v]) => [withoutMemberNames(k), v]);
  return { service, operation: params.get('Action') ?? 'Unknown', input: Object.fromEntries(input) };
}

/**
 * Query protocols name list members (`Tags.Tag.1.Key`, `Tags.member.1.Key`, `VpcSecurityGroupIds.VpcSecurityGroupId.1`):
 * the segment between a list and its index is dropped, leaving `Tags.1.Key`.
 */
function withoutMemberNames(key: string): string {
  const parts = key.split('.');
  const index = (p: string | undefined) => p !== undefined && /^\d+$/.test(p);
  return parts.filter((p, i) => !(i > 0 && index(parts[i + 1]) && !index(p) && !index(parts[i - 1]))).join('.');
}

/** An SDK input flattened the way a query protocol sends it: `A.B.1.C` -> string, lists counted from 1. */
function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  // A secret is resolved only as the call is sent: the plan holds a reference, the emulator receives some value.
  if (isSecretRef(value)) out[prefix] = expect.any(String) as unknown as string;
  else if (Array.isArray(value)) {
    if (value.length === 0) out[prefix] = '';
    value.forEach((v, i) => flatten(v, `${prefix}.${i + 1}`, out));
  } else if (value instanceof Date) out[prefix] = value.toISOString();
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) out[prefix] = String(value);
  return out;
}

/** The services Ballast reaches through a query protocol (form-encoded parameters); the others speak JSON. */
const QUERY_PROTOCOL = new Set(['rds', 'ec2', 'elbv2', 'sns', 'sts']);

/** A planned call as the emulator should receive it. */
export function asReceived(call: AwsCall): ReceivedCall {
  const input = QUERY_PROTOCOL.has(call.service) ? flatten(call.input) : (JSON.parse(JSON.stringify(call.input)) as Record<string, unknown>);
  return { service: call.service, operation: call.operation, input };
}

/** The write requests among those received. */
export const writesOf = (received: ReceivedCall[]) => received.filter((r) => !isReadOperation(r.operation));

/** Calls in a stable order, so that two multisets compare with toEqual. */
export const sorted = (calls: ReceivedCall[]) => [...calls].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
