import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Aws } from '../aws/clients.js';
import { isSecretRef, type SecretRef } from './ref.js';

/** A failure about a secret that names the secret, never its value. */
export class SecretError extends Error {
  readonly code = 'SecretUnusable';
  readonly terminal = true;
}

/** The id of the secret's current version (AWSCURRENT): one DescribeSecret, no value read. */
export async function currentVersion(aws: Aws, secretArn: string): Promise<string> {
  const out = await aws.secretsmanager.send(new DescribeSecretCommand({ SecretId: secretArn }));
  const current = Object.entries(out.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  if (!current) throw new SecretError(`secret ${secretArn} has no current version (AWSCURRENT)`);
  return current;
}

function valueAt(secretArn: string, key: string, text: string | undefined): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    // The parser's message quotes the text: never pass it on.
    throw new SecretError(`secret ${secretArn} is not a JSON object, so it has no key "${key}"`);
  }
  const value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string' || value === '') throw new SecretError(`secret ${secretArn} has no non-empty string at key "${key}"`);
  return value;
}

/**
 * The input with each secret reference replaced by what it stands for: one GetSecretValue per secret version
 * the call names. Returns the values too, so an error that quotes one can be scrubbed.
 */
export async function resolveSecretRefs(aws: Aws, input: Record<string, unknown>): Promise<{ input: Record<string, unknown>; values: string[] }> {
  const refs: SecretRef[] = [];
  const collect = (v: unknown): void => {
    if (isSecretRef(v)) refs.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(collect);
  };
  collect(input);
  if (refs.length === 0) return { input, values: [] };
  const reads = new Map<string, Promise<{ versionId: string; text: string | undefined }>>();
  const read = ({ fromSecret: { secretArn, versionId } }: SecretRef) => {
    const id = `${secretArn}\u0000${versionId ?? ''}`;
    if (!reads.has(id)) {
      reads.set(
        id,
        aws.secretsmanager.send(new GetSecretValueCommand({ SecretId: secretArn, VersionId: versionId })).then((out) => ({ versionId: out.VersionId ?? '', text: out.SecretString })),
      );
    }
    return reads.get(id)!;
  };
  const values: string[] = [];
  const replace = async (v: unknown): Promise<unknown> => {
    if (isSecretRef(v)) {
      const got = await read(v);
      if (v.fromSecret.part === 'versionId') return got.versionId;
      const value = valueAt(v.fromSecret.secretArn, v.fromSecret.key, got.text);
      values.push(value);
      return value;
    }
    if (Array.isArray(v)) return Promise.all(v.map(replace));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await replace(x)])));
    return v;
  };
  return { input: (await replace(input)) as Record<string, unknown>, values };
}

/** An error whose message or fields might quote a secret value, with each value masked. */
export function scrubbed(err: unknown, values: string[]): unknown {
  if (values.length === 0 || !(err instanceof Error)) return err;
  const scrub = (text: string) => values.reduce((t, v) => t.split(v).join('(sensitive)'), text);
  err.message = scrub(err.message);
  if (err.stack) err.stack = scrub(err.stack);
  return err;
}
