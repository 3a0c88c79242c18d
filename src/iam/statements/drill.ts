import type { DbInstance, RestoreDrill } from '../../schema/index.js';
import { DRILL_TAG } from '../../drill/instance.js';
import { allow } from '../document.js';
import type { Scope } from '../scope.js';
import { add, type Grants } from './grants.js';
import { groupArns, identifierOf, rdsRead } from './rds.js';

/** A drill restores the source's backup into `<source>-drill-<time>`, checks it and deletes it. */
export function drillStatements(drills: RestoreDrill[], s: Scope, grants: Grants): void {
  const sourceOf = (d: RestoreDrill) => s.manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === d.spec.dbInstance);
  const sources = drills.flatMap((d) => sourceOf(d) ?? []);
  const ids = drills.map((d) => {
    const source = sourceOf(d);
    return source ? identifierOf(source) : d.spec.dbInstance;
  });
  const sourceArns = s.named(ids, (id) => s.arn('rds', `db:${id}`));
  const copies = s.named(ids, (id) => s.arn('rds', `db:${id}-drill-*`));
  const fromSnapshot = drills.some((d) => d.spec.method !== 'point-in-time');
  const restores = [
    ...(fromSnapshot ? ['rds:RestoreDBInstanceFromDBSnapshot'] : []),
    ...(drills.some((d) => d.spec.method === 'point-in-time') ? ['rds:RestoreDBInstanceToPointInTime'] : []),
  ];
  const snapshots = fromSnapshot ? [s.arn('rds', 'snapshot:*')] : [];
  add(
    grants,
    rdsRead(s),
    ...(fromSnapshot ? [allow('RdsDrillFindSnapshots', ['rds:DescribeDBSnapshots'], [...sourceArns, ...snapshots])] : []),
    // The copy must carry the ownership tag from its first moment (a crash leaves a leftover that is found by it).
    allow('RdsDrillRestore', restores, [...copies, ...sourceArns, ...snapshots], s.tagging),
    allow('RdsDrillTagCopies', ['rds:AddTagsToResource'], copies, s.claiming),
    allow('RdsDrillUseGroups', restores, groupArns(sources, s)),
    // Leftovers of any source are deleted at start, so any `-drill-` name, but only owned drill copies.
    allow('RdsDrillDeleteCopies', ['rds:ModifyDBInstance', 'rds:DeleteDBInstance'], [s.arn('rds', 'db:*-drill-*')], {
      ...s.owned,
      Null: { [`aws:ResourceTag/${DRILL_TAG}`]: 'false' },
    }),
  );
}
