import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One runtime suspension: from when, until when (absent: until resumed), and why. */
export interface Suspension {
  key: string;
  since: string;
  until?: string;
  reason?: string;
}

/** Where suspensions are kept: the lease table when there is one (a new leader honours them), else memory. */
export interface SuspendStore {
  load(): Promise<Suspension[]>;
  save(list: Suspension[]): Promise<void>;
}

/** Without a lease table: the process's own memory, lost on a restart (documented). */
export class MemorySuspendStore implements SuspendStore {
  private list: Suspension[] = [];

  async load(): Promise<Suspension[]> {
    return [...this.list];
  }

  async save(list: Suspension[]): Promise<void> {
    this.list = [...list];
  }
}

/**
 * One item `suspend/<controller id>` in the lease table, next to the lease and `seen/<controller id>`: a map of
 * resource key to since, until and reason (about 300 bytes each). Only the leader answers /suspend and /resume.
 */
export class DynamoSuspendStore implements SuspendStore {
  private readonly name: string;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    controllerId: string,
  ) {
    this.name = `suspend/${controllerId}`;
  }

  async load(): Promise<Suspension[]> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { name: { S: this.name } }, ConsistentRead: true }));
    return Object.entries(Item?.resources?.M ?? {}).flatMap(([key, v]) => {
      const m = v.M;
      if (!m?.since?.S) return [];
      return [{ key, since: m.since.S, ...(m.until?.S ? { until: m.until.S } : {}), ...(m.reason?.S ? { reason: m.reason.S } : {}) }];
    });
  }

  async save(list: Suspension[]): Promise<void> {
    const resources: Record<string, AttributeValue> = {};
    for (const s of list) {
      const entry: Record<string, AttributeValue> = { since: { S: s.since } };
      if (s.until) entry.until = { S: s.until };
      if (s.reason) entry.reason = { S: s.reason };
      resources[s.key] = { M: entry };
    }
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: { name: { S: this.name }, resources: { M: resources }, savedAt: { S: new Date().toISOString() } } }));
  }
}
