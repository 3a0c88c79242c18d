import { randomUUID } from 'node:crypto';
import { timeoutHandler } from '../aws/timeout.js';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  paginateQuery,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';

/** One write Ballast made, as recorded. */
export interface HistoryEntry {
  at: string;
  revision: string;
  author: string;
  /** The commit subject. */
  message: string;
  trigger: string;
  /** Kind/name. */
  resource: string;
  /** The plan action, e.g. "DbInstance/shop-db#replica-2". */
  action: string;
  /** service:Operation of each call the action sent. */
  calls: string[];
  result: 'done' | 'failed';
  error?: string;
  /** Fields of live drift this write put back (empty for a change that came from Git). */
  driftCorrected: string[];
}

export interface HistoryOptions {
  table: string;
  controllerId: string;
  /** Days an entry is kept; DynamoDB deletes it after that through the TTL attribute. */
  retentionDays: number;
  endpoint?: string;
  /** Seconds a call attempt may wait (src/aws/timeout.ts): a hung write would otherwise hold the reconcile recording it. */
  awsTimeout?: number;
}

/** Attribute DynamoDB's TTL reads (epoch seconds). */
const TTL_ATTRIBUTE = 'expiresAt';

const s = (v: string): AttributeValue => ({ S: v });

/**
 * The history of writes in a DynamoDB table of its own: partition `history#<controller id>`, sort key the time (plus a
 * unique suffix), so "since 24h" is one Query. Created (on-demand, with TTL on) when missing.
 */
export class HistoryStore {
  private readonly client: DynamoDBClient;
  private ready?: Promise<void>;

  constructor(private readonly options: HistoryOptions) {
    this.client = new DynamoDBClient({ requestHandler: timeoutHandler(options.awsTimeout), ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
  }

  private get partition(): string {
    return `history#${this.options.controllerId}`;
  }

  /** Creates the table with its TTL attribute when it does not exist yet. */
  ensureTable(): Promise<void> {
    this.ready ??= this.create().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async create(): Promise<void> {
    const TableName = this.options.table;
    try {
      await this.client.send(new DescribeTableCommand({ TableName }));
      return;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (err) {
      // Another process created it first.
      if ((err as Error).name !== 'ResourceInUseException') throw err;
    }
    await waitUntilTableExists({ client: this.client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName });
    await this.client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
  }

  async record(entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.ensureTable();
    for (const e of entries) {
      const expiresAt = Math.floor(Date.parse(e.at) / 1000) + this.options.retentionDays * 86_400;
      await this.client.send(
        new PutItemCommand({
          TableName: this.options.table,
          Item: {
            pk: s(this.partition),
            sk: s(`${e.at}#${randomUUID()}`),
            [TTL_ATTRIBUTE]: { N: String(expiresAt) },
            entry: s(JSON.stringify(e)),
            resource: s(e.resource),
          },
        }),
      );
    }
  }

  /** Entries since a time, oldest first; only those of one resource when given. */
  async query(since: Date, resource?: string): Promise<HistoryEntry[]> {
    await this.ensureTable();
    const out: HistoryEntry[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.options.table,
        KeyConditionExpression: 'pk = :pk AND sk >= :since',
        ...(resource ? { FilterExpression: '#r = :r', ExpressionAttributeNames: { '#r': 'resource' } } : {}),
        ExpressionAttributeValues: { ':pk': s(this.partition), ':since': s(since.toISOString()), ...(resource ? { ':r': s(resource) } : {}) },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) out.push(JSON.parse(item.entry?.S ?? '{}') as HistoryEntry);
    return out;
  }
}
