import type { DbInstance } from '../../schema/index.js';
import type { Health, ObserveContext } from '../../engine/types.js';
import { BATCH, describeByIds, identifierOf } from './observe.js';
import { batchedRead } from '../../health/batcher.js';

/** States RDS does not leave without someone's help. */
const FAILED = /^(failed|storage-full|incompatible-.+)$/;

/** Steady when every instance is available; failed as soon as one is in a state it will not leave by itself. */
export function statusHealth(instances: { identifier: string; status: string }[]): Health {
  const failed = instances.find((i) => FAILED.test(i.status));
  if (failed) return { steady: false, failed: true, reason: `${failed.identifier} is ${failed.status}` };
  const busy = instances.filter((i) => i.status !== 'available');
  if (busy.length > 0) return { steady: false, reason: busy.map((i) => `${i.identifier} is ${i.status}`).join(', ') };
  return { steady: true, reason: `${instances.map((i) => i.identifier).join(', ')} available` };
}

/**
 * The primary, then the replicas it lists (ReadReplicaDBInstanceIdentifiers): each a DescribeDBInstances by filter
 * shared with every DB checked at the same time, 100 identifiers a call.
 */
export async function dbHealth(desired: DbInstance, ctx: ObserveContext): Promise<Health> {
  const id = identifierOf(desired);
  const read = batchedRead(ctx, 'rds:DescribeDBInstances', BATCH, async (ids) =>
    new Map((await describeByIds(ctx, ids)).map((i) => [i.DBInstanceIdentifier ?? '', i])),
  );
  const primary = await read(id);
  if (!primary) return { steady: false, reason: `${id} not found` };
  // Cross-region replicas are listed by ARN and cannot be described in this region.
  const replicaIds = (primary.ReadReplicaDBInstanceIdentifiers ?? []).filter((r) => !r.startsWith('arn:'));
  // A replica already gone may still be listed for a moment: only those found count.
  const replicas = (await Promise.all(replicaIds.map(read))).filter((r) => r !== undefined);
  const instances = [primary, ...replicas];
  return statusHealth(instances.map((i) => ({ identifier: i.DBInstanceIdentifier ?? '', status: i.DBInstanceStatus ?? 'unknown' })));
}
