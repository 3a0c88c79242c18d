import type { DbInstance } from '../../schema/index.js';
import type { Health, ObserveContext } from '../../engine/types.js';
import { describeByIds, identifierOf, replicaId } from './observe.js';

/** RDS allows at most 15 read replicas per source (the schema's maximum too). */
const MAX_REPLICAS = 15;

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
 * One read: the primary and every name a replica of it can have (`<identifier>-replica-1..15`), keeping those
 * that really are its replicas.
 */
export async function dbHealth(desired: DbInstance, ctx: ObserveContext): Promise<Health> {
  const id = identifierOf(desired);
  const names = [id, ...Array.from({ length: MAX_REPLICAS }, (_, i) => replicaId(id, i + 1))];
  const found = await describeByIds(ctx, names);
  const primary = found.find((i) => i.DBInstanceIdentifier === id);
  if (!primary) return { steady: false, reason: `${id} not found` };
  const replicaIds = new Set(primary.ReadReplicaDBInstanceIdentifiers ?? []);
  const instances = [primary, ...found.filter((i) => replicaIds.has(i.DBInstanceIdentifier ?? ''))];
  return statusHealth(instances.map((i) => ({ identifier: i.DBInstanceIdentifier ?? '', status: i.DBInstanceStatus ?? 'unknown' })));
}
