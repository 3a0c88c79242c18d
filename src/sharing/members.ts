import { performance } from 'node:perf_hooks';
import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Each replica's heartbeat is an attribute of the one membership item, named after the replica. */
const PREFIX = 'member:';

/**
 * The replicas of one controller id that are alive, as one item `members/<controller id>` of the lease table: each
 * replica sets its own attribute to a new beat every retry period (an UpdateItem of that attribute only, so replicas
 * never contend), and reads the whole item in one GetItem, however many replicas there are. Like the elector, a
 * replica ages each beat on its own monotonic clock from when it saw it change, so hosts' clocks need not agree: a
 * beat unchanged for the lease duration is a dead replica's, and is removed, on condition that it is still unchanged.
 */
export class Membership {
  private readonly name: string;
  private beat = 0;
  private readonly seen = new Map<string, { beat: string; at: number }>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    controllerId: string,
    readonly identity: string,
    private readonly leaseDurationMs: number,
  ) {
    this.name = `members/${controllerId}`;
  }

  /** Renews this replica's beat and reads every replica's; answers the live identities, sorted, this one included. */
  async renew(): Promise<string[]> {
    this.beat += 1;
    await this.update(`SET #id = :beat`, { '#id': PREFIX + this.identity }, { ':beat': { S: `${this.beat}` } });
    const { Item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { name: { S: this.name } }, ConsistentRead: true }));
    const now = performance.now();
    const beats = new Map(
      Object.entries(Item ?? {}).flatMap(([attribute, value]) => (attribute.startsWith(PREFIX) && value.S !== undefined ? [[attribute.slice(PREFIX.length), value.S] as const] : [])),
    );
    for (const id of this.seen.keys()) if (!beats.has(id)) this.seen.delete(id);
    const dead: { id: string; beat: string }[] = [];
    for (const [id, beat] of beats) {
      const last = this.seen.get(id);
      if (last?.beat !== beat) this.seen.set(id, { beat, at: now });
      else if (id !== this.identity && now - last.at >= this.leaseDurationMs) dead.push({ id, beat });
    }
    for (const d of dead) {
      this.seen.delete(d.id);
      await this.remove(d.id, d.beat);
    }
    return [...new Set([this.identity, ...this.seen.keys()])].sort();
  }

  /** Takes this replica off the item, so the others count it gone at once (a clean shutdown). */
  async leave(): Promise<void> {
    await this.update('REMOVE #id', { '#id': PREFIX + this.identity });
  }

  /** Removes a dead replica's beat only if it did not change since it was read: one that just woke up stays. */
  private async remove(id: string, beat: string): Promise<void> {
    try {
      await this.update('REMOVE #id', { '#id': PREFIX + id }, { ':beat': { S: beat } }, '#id = :beat');
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  private async update(expression: string, names: Record<string, string>, values?: Record<string, { S: string }>, condition?: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { name: { S: this.name } },
        UpdateExpression: expression,
        ExpressionAttributeNames: names,
        ...(values ? { ExpressionAttributeValues: values } : {}),
        ...(condition ? { ConditionExpression: condition } : {}),
      }),
    );
  }
}
