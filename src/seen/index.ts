import { createHash } from 'node:crypto';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Manifest } from '../schema/index.js';

/**
 * What the controller knows of each resource it has seen in place: the digest of its manifest then. A resource in
 * it that AWS no longer has was deleted by hand (drift); one not in it was never applied (a create). A digest that
 * differs from the manifest now means Git changed it, so its differences are changes to apply, not drift.
 */
export type SeenResources = Map<string, string>;

/** Where that knowledge outlives the process (a restart, a new leader). */
export interface SeenStore {
  load(): Promise<SeenResources>;
  save(seen: ReadonlyMap<string, string>): Promise<void>;
}

/** A digest that only a change of the manifest's content changes (not the order of its keys). */
export function manifestDigest(m: Manifest): string {
  const sorted = (_: string, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v;
  return createHash('sha256').update(JSON.stringify(m, sorted)).digest('hex').slice(0, 32);
}

/**
 * One item `seen/<controller id>` in the lease table: a map of resource key to digest. About 80 bytes a resource,
 * so DynamoDB's 400 KB item holds some 4,000. Only the leader reconciles, so only it writes.
 */
export class DynamoSeenStore implements SeenStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    controllerId: string,
    private readonly name = `seen/${controllerId}`,
  ) {}

  async load(): Promise<SeenResources> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { name: { S: this.name } }, ConsistentRead: true }));
    return new Map(Object.entries(Item?.resources?.M ?? {}).flatMap(([key, v]) => (v.S ? [[key, v.S] as const] : [])));
  }

  async save(seen: ReadonlyMap<string, string>): Promise<void> {
    const resources = Object.fromEntries([...seen].map(([key, digest]) => [key, { S: digest }]));
    await this.client.send(
      new PutItemCommand({ TableName: this.table, Item: { name: { S: this.name }, resources: { M: resources }, savedAt: { S: new Date().toISOString() } } }),
    );
  }
}
