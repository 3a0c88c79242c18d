import { afterEach, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { buildPlan } from '../../src/plan/index.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { manifestIndex } from '../../src/observe/context.js';
import { MANAGED_BY_TAG, MANIFEST_TAG } from '../../src/engine/tags.js';
import type { Context } from '../../src/engine/types.js';
import type { Manifest, RestoreDrill } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** desired-state/ with edits; the problems `validate` reports, as `file-suffix:line: message`. */
async function problemsAfter(...edits: [string, ReturnType<typeof setField>][]): Promise<string[]> {
  const dir = await copyDesiredState();
  dirs.push(dir);
  for (const [key, edit] of edits) await editManifest(dir, key, edit);
  const { problems } = await loadRevision(dir);
  return problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}: ${p.message}`);
}

describe('RestoreDrill manifests', () => {
  it('come with the schema defaults filled in', async () => {
    const { manifests } = await loadRevision('desired-state');
    const drill = manifests.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
    expect(drill.spec).toMatchObject({
      dbInstance: 'shop-db',
      method: 'point-in-time',
      timezone: 'UTC',
      instanceClass: 'db.t4g.medium',
      checks: { status: true, engineVersion: true, encryption: true },
    });
  });

  it('must name a DbInstance of the revision and a valid five-field cron schedule', async () => {
    expect(
      await problemsAfter(
        ['RestoreDrill/shop-db-drill', setField(['spec', 'dbInstance'], 'orders-db')],
        ['RestoreDrill/shop-db-drill', setField(['spec', 'schedule'], '0 25 * * 1')],
      ),
    ).toEqual([
      'database/shop-db-drill.yaml:12: spec.dbInstance: DbInstance "orders-db" not found in this revision',
      'database/shop-db-drill.yaml:13: spec.schedule: not a valid cron expression: hour "25" is not valid',
    ]);
    expect(await problemsAfter(['RestoreDrill/shop-db-drill', setField(['spec', 'schedule'], '0 0 5 * * 1')])).toEqual([
      'database/shop-db-drill.yaml:13: spec.schedule: "0 0 5 * * 1" is not valid (When to drill: a five-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 5 * * 1")',
    ]);
  });

  it('refuses a DB identifier too long to name its drill instances', async () => {
    const long = `shop-${'x'.repeat(45)}`;
    expect(await problemsAfter(['DbInstance/shop-db', setField(['spec', 'identifier'], long)])).toEqual([
      `database/shop-db-drill.yaml:12: spec.dbInstance: DB identifier "${long}" is 50 characters; drill instances (<identifier>-drill-<yyyymmddhhmm>) need it at most 44`,
    ]);
  });

  it('are never planned, and their drill instances are never pruned', async () => {
    const { manifests } = await loadRevision('desired-state');
    const drills = manifests.filter((m) => m.kind === 'RestoreDrill');
    const ctx = { controllerId: 'ballast', ...manifestIndex(drills) } as Context;
    const owned = new Map([
      ['arn:aws:rds:us-east-1:123456789012:db:shop-db-drill-202601050500', { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'RestoreDrill/shop-db-drill' }],
      ['arn:aws:rds:us-east-1:123456789012:db:old-db-drill-202601050500', { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'RestoreDrill/removed-drill' }],
    ]);
    const plan = buildPlan(drills as Manifest[], { ctx, observations: new Map(), owned }, RECONCILERS, { defaultMode: 'enforce', prune: true });
    expect(plan).toEqual({ resources: [], actions: [] });
  });
});
