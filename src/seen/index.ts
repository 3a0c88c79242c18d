import { createHash } from 'node:crypto';
import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Manifest } from '../schema/index.js';

/**
 * What the controller knows of each resource it has seen in place: the digest of its manifest then. A resource in
 * it that AWS no longer has was deleted by hand (drift); one not in it was never applied (a create). A digest that
 * differs from the manifest now means Git changed it, so its differences are changes to apply, not drift.
 */
export interface Seen {
  /** Resource key (`Kind/name`) to the digest of its manifest when last seen in place. */
  digests: Map<string, string>;
  /**
   * The ARNs that carried this controller's ownership and manifest tags while their manifest was in place: the proof
   * that prune under the default controller id may delete them (src/plan/prune-guard.ts).
   */
  arns: Set<string>;
}

/** Where that knowledge outlives the process (a restart, a new leader). */
export interface SeenStore {
  load(): Promise<Seen>;
  save(seen: Seen): Promise<void>;
}

export function sameSeen(a: Seen, b: Seen): boolean {
  return (
    a.digests.size === b.digests.size &&
    [...a.digests].every(([k, v]) => b.digests.get(k) === v) &&
    a.arns.size === b.arns.size &&
    [...a.arns].every((arn) => b.arns.has(arn))
  );
}

/** A digest that only a change of the manifest's content changes (not the order of its keys). */
export function manifestDigest(m: Manifest): string {
  const sorted = (_: string, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v;
  return createHash('sha256').update(JSON.stringify(m, sorted)).digest('hex').slice(0, 32);
}

/**
 * One item `seen/<controller id>` in the lease table: a map of resource key to digest, and the set of ARNs. About
 * 200 bytes a resource, so DynamoDB's 400 KB item holds some 2,000. Only the leader reconciles, so only it writes.
 */
export class DynamoSeenStore implements SeenStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    controllerId: string,
    private readonly name = `seen/${controllerId}`,
  ) {}

  async load(): Promise<Seen> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { name: { S: this.name } }, ConsistentRead: true }));
    return {
      digests: new Map(Object.entries(Item?.resources?.M ?? {}).flatMap(([key, v]) => (v.S ? [[key, v.S] as const] : []))),
      arns: new Set(Item?.arns?.SS ?? []),
    };
  }

  async save(seen: Seen): Promise<void> {
    const resources = Object.fromEntries([...seen.digests].map(([key, digest]) => [key, { S: digest }]));
    // DynamoDB refuses an empty string set: leave the attribute out instead.
    const item: Record<string, AttributeValue> = { name: { S: this.name }, resources: { M: resources }, savedAt: { S: new Date().toISOString() } };
    if (seen.arns.size > 0) item.arns = { SS: [...seen.arns] };
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: item }));
  }
}
