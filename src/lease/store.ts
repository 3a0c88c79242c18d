import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** One lease as stored: who holds it, for how long, and a version every write bumps (optimistic concurrency). */
export interface LeaseRecord {
  holder: string;
  version: number;
  durationMs: number;
  acquiredAt: string;
  renewedAt: string;
}

/** One item per lease in a DynamoDB table keyed by `name`; every write is conditional on the version last read. */
export class LeaseStore {
  constructor(
    private readonly client: DynamoDBClient,
    readonly table: string,
    readonly name: string,
  ) {}

  /** Creates the table (on-demand billing) when it does not exist yet; true when it was created. */
  async ensureTable(): Promise<boolean> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.table }));
      return false;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.table,
          AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (err) {
      // Another replica created it first.
      if ((err as Error).name !== 'ResourceInUseException') throw err;
    }
    await waitUntilTableExists({ client: this.client, maxWaitTime: 120, minDelay: 1, maxDelay: 5 }, { TableName: this.table });
    return true;
  }

  async read(): Promise<LeaseRecord | undefined> {
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { name: { S: this.name } }, ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      holder: Item.holder?.S ?? '',
      version: Number(Item.version?.N ?? 0),
      durationMs: Number(Item.durationMs?.N ?? 0),
      acquiredAt: Item.acquiredAt?.S ?? '',
      renewedAt: Item.renewedAt?.S ?? '',
    };
  }

  /** Writes the record only if the stored version is still `expected` (absent: no item yet); false when it was not. */
  async write(record: LeaseRecord, expected: number | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            name: { S: this.name },
            holder: { S: record.holder },
            version: { N: String(record.version) },
            durationMs: { N: String(record.durationMs) },
            acquiredAt: { S: record.acquiredAt },
            renewedAt: { S: record.renewedAt },
          },
          ...(expected === undefined
            ? { ConditionExpression: 'attribute_not_exists(#name)', ExpressionAttributeNames: { '#name': 'name' } }
            : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': { N: String(expected) } } }),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
