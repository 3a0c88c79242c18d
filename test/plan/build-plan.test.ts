import { describe, expect, it } from 'vitest';
import { buildPlan, type PlanInput } from '../../src/plan/index.js';
import type { Registry } from '../../src/engine/registry.js';
import type { Context, Observation, Reconciler, ResourceKey } from '../../src/engine/types.js';
import type { Alarm, Manifest } from '../../src/schema/index.js';
import { ALLOW_DESTRUCTIVE_TAG, MANAGED_BY_TAG, MANIFEST_TAG } from '../../src/engine/tags.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { manifestIndex } from '../../src/observe/context.js';

// The plan stage is pure: these tests drive it with a minimal reconciler whose live state is just a threshold,
// so the engine's own rules (modes, guards, ownership, prune, order) are tested apart from any AWS shape.
type Live = { threshold: number };
const fake: Reconciler<'Alarm', Live> = {
  kind: 'Alarm',
  taggingType: 'cloudwatch:alarm',
  deleteIsDestructive: false,
  observe: async () => new Map(),
  diff: (d, live) =>
    d.spec.threshold === live.threshold
      ? []
      : [{ path: 'spec.threshold', live: live.threshold, desired: d.spec.threshold, destructive: d.spec.threshold < live.threshold ? 'lowering' : undefined }],
  steps: (d, live) => [
    { op: live ? 'update' : 'create', summary: 'put alarm', calls: [{ service: 'cloudwatch', operation: 'PutMetricAlarm', input: { AlarmName: d.metadata.name } }] },
  ],
  dependsOn: (d) => (d.metadata.labels?.after ? [`Alarm/${d.metadata.labels.after}`] : []),
  health: async () => ({ steady: true, reason: 'exists' }),
  nameOf: (arn) => arn.split(':alarm:')[1] ?? arn,
  deleteSteps: (name) => [{ op: 'delete', summary: 'delete alarm', calls: [{ service: 'cloudwatch', operation: 'DeleteAlarms', input: { AlarmNames: [name] } }] }],
  adoptCalls: (d) => [{ service: 'cloudwatch', operation: 'TagResource', input: { ResourceARN: d.metadata.name } }],
};
const registry = { Alarm: fake } as unknown as Registry;

function alarm(name: string, threshold: number, extra: Partial<Alarm['metadata']> = {}): Alarm {
  return {
    apiVersion: 'ballast.dev/v1alpha1',
    kind: 'Alarm',
    metadata: { name, ...extra },
    spec: { metric: { namespace: 'N', name: 'M' }, evaluationPeriods: 1, threshold, comparison: 'GreaterThanThreshold' },
  };
}

function input(manifests: Manifest[], observations: Record<string, Observation<Live>>, owned = new Map<string, Record<string, string>>()): PlanInput {
  const ctx = { ...manifestIndex(manifests), controllerId: 'ballast', refs: {} } as unknown as Context;
  return { ctx, observations: new Map(Object.entries(observations)) as Map<ResourceKey, Observation<unknown>>, owned };
}

const found = (threshold: number, owned = true): Observation<Live> => ({ state: 'found', live: { threshold }, owned });
const settings = { defaultMode: 'enforce' as const, prune: false };

describe('buildPlan', () => {
  it('creates what is missing, updates what differs and leaves matching resources alone', () => {
    const ms = [alarm('a', 1), alarm('b', 5), alarm('c', 3)];
    const plan = buildPlan(ms, input(ms, { 'Alarm/b': found(4), 'Alarm/c': found(3) }), registry, settings);
    expect(plan.resources.map((r) => [r.key, r.status])).toEqual([
      ['Alarm/a', 'create'],
      ['Alarm/b', 'update'],
      ['Alarm/c', 'in-sync'],
    ]);
    expect(plan.actions.map((a) => a.id)).toEqual(['Alarm/a', 'Alarm/b']);
  });

  it('orders actions after the resources they depend on', () => {
    const ms = [alarm('late', 1, { labels: { after: 'early' } }), alarm('early', 1)];
    const plan = buildPlan(ms, input(ms, {}), registry, settings);
    expect(plan.actions.map((a) => [a.id, a.dependsOn])).toEqual([
      ['Alarm/early', []],
      ['Alarm/late', ['Alarm/early']],
    ]);
  });

  it('refuses a destructive change without the opt-in annotation, and plans it with it', () => {
    const plain = [alarm('a', 1)];
    const refused = buildPlan(plain, input(plain, { 'Alarm/a': found(9) }), registry, settings);
    expect(refused.actions).toEqual([]);
    expect(refused.resources[0]?.refused.map((c) => c.path)).toEqual(['spec.threshold']);
    expect(refused.resources[0]?.note).toMatch(/ballast.dev\/allow-destructive/);

    const optedIn = [alarm('a', 1, { annotations: { 'ballast.dev/allow-destructive': 'true' } })];
    const allowed = buildPlan(optedIn, input(optedIn, { 'Alarm/a': found(9) }), registry, settings);
    expect(allowed.actions.map((a) => a.id)).toEqual(['Alarm/a']);
  });

  it('reports detect-mode drift without actions and skips suspended resources entirely', () => {
    const ms = [alarm('d', 1, { annotations: { 'ballast.dev/mode': 'detect' } }), alarm('s', 1, { annotations: { 'ballast.dev/mode': 'suspend' } })];
    const plan = buildPlan(ms, input(ms, { 'Alarm/d': found(2), 'Alarm/s': found(2) }), registry, settings);
    expect(plan.actions).toEqual([]);
    expect(plan.resources.map((r) => [r.status, r.changes.length])).toEqual([
      ['update', 1],
      ['suspended', 0],
    ]);
  });

  it('never touches a resource without the ownership tag unless the manifest adopts it', () => {
    const ms = [alarm('u', 1)];
    const plan = buildPlan(ms, input(ms, { 'Alarm/u': found(2, false) }), registry, settings);
    expect(plan.resources[0]?.status).toBe('unmanaged');
    expect(plan.actions).toEqual([]);

    const adopt = [alarm('u', 1, { annotations: { 'ballast.dev/adopt': 'true' } })];
    const adopted = buildPlan(adopt, input(adopt, { 'Alarm/u': found(0, false) }), registry, settings);
    expect(adopted.actions.map((a) => [a.id, a.calls.map((c) => c.operation), a.dependsOn])).toEqual([
      ['Alarm/u#adopt', ['TagResource'], []],
      ['Alarm/u#2', ['PutMetricAlarm'], ['Alarm/u#adopt']],
    ]);
  });

  it('lists owned resources in no manifest as prune candidates and deletes them only with prune on', () => {
    const owned = new Map([['arn:aws:cloudwatch:us-east-1:1:alarm:gone', { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'Alarm/gone' }]]);
    const off = buildPlan([], input([], {}, owned), registry, settings);
    expect(off.resources.map((r) => [r.key, r.status, r.actions])).toEqual([['Alarm/gone', 'prune', []]]);
    const on = buildPlan([], input([], {}, owned), registry, { ...settings, prune: true });
    expect(on.actions.flatMap((a) => a.calls)).toEqual([{ service: 'cloudwatch', operation: 'DeleteAlarms', input: { AlarmNames: ['gone'] } }]);
  });

  it('never prunes an ECS service or a DB without the destructive opt-in tag, even with prune on', () => {
    const service = 'arn:aws:ecs:us-east-1:123456789012:service/shop/old-api';
    const db = 'arn:aws:rds:us-east-1:123456789012:db:old-db';
    const tags = (key: string, extra: Record<string, string> = {}) => ({ [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: key, ...extra });
    const plan = (owned: Map<string, Record<string, string>>) => buildPlan([], input([], {}, owned), RECONCILERS, { ...settings, prune: true });

    const guarded = plan(new Map([[service, tags('EcsService/old-api')], [db, tags('DbInstance/old-db')]]));
    expect(guarded.actions).toEqual([]);
    expect(guarded.resources.map((r) => [r.key, r.status, r.note])).toEqual([
      ['EcsService/old-api', 'prune', `refused: deleting a EcsService needs the ${ALLOW_DESTRUCTIVE_TAG}=true tag, set by annotating the manifest before removing it`],
      ['DbInstance/old-db', 'prune', `refused: deleting a DbInstance needs the ${ALLOW_DESTRUCTIVE_TAG}=true tag, set by annotating the manifest before removing it`],
    ]);

    const allowed = plan(new Map([[service, tags('EcsService/old-api', { [ALLOW_DESTRUCTIVE_TAG]: 'true' })]]));
    expect(allowed.actions.flatMap((a) => a.calls)).toEqual([{ service: 'ecs', operation: 'DeleteService', input: { cluster: 'shop', service: 'old-api', force: true } }]);
  });

  it('refuses to prune a DB whose replica lacks the opt-in tag, and deletes the replica before its source when both have it', () => {
    const primary = 'arn:aws:rds:us-east-1:123456789012:db:old-db';
    const replica = 'arn:aws:rds:us-east-1:123456789012:db:old-db-replica-1';
    const tags = (allow: boolean) => ({ [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'DbInstance/old-db', ...(allow ? { [ALLOW_DESTRUCTIVE_TAG]: 'true' } : {}) });
    const plan = (owned: [string, Record<string, string>][]) => buildPlan([], input([], {}, new Map(owned)), RECONCILERS, { ...settings, prune: true });

    const half = plan([[primary, tags(true)], [replica, tags(false)]]);
    expect(half.actions).toEqual([]);
    expect(half.resources[0]?.refused.map((c) => [c.path, c.destructive])).toEqual([['delete', expect.stringContaining(ALLOW_DESTRUCTIVE_TAG)]]);

    // Listed primary first, as tagging lists them; deleted replica first, each delete after the one before.
    const both = plan([[primary, tags(true)], [replica, tags(true)]]);
    expect(both.resources[0]?.refused).toEqual([]);
    const deletes = both.actions.map((a) => [a.id, a.calls.map((c) => `${c.operation} ${(c.input as { DBInstanceIdentifier?: string }).DBInstanceIdentifier}`), a.dependsOn]);
    expect(deletes).toEqual([
      ['DbInstance/old-db#delete-1', ['DeleteDBInstance old-db-replica-1'], []],
      // Deletion protection off first, then the delete.
      ['DbInstance/old-db#delete-2', ['ModifyDBInstance old-db', 'DeleteDBInstance old-db'], ['DbInstance/old-db#delete-1']],
    ]);
  });

  it('refuses prune under a prune refusal except for what is proven owned, every member of it', () => {
    const owned = new Map([
      ['arn:aws:cloudwatch:us-east-1:1:alarm:gone', { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'Alarm/gone' }],
      ['arn:aws:cloudwatch:us-east-1:1:alarm:gone-too', { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'Alarm/gone' }],
    ]);
    const plan = (provenOwned?: Set<string>) =>
      buildPlan([], input([], {}, owned), registry, { ...settings, prune: true, pruneRefusal: 'the controller id was not stated', provenOwned });
    for (const refused of [plan(), plan(new Set()), plan(new Set(['arn:aws:cloudwatch:us-east-1:1:alarm:gone']))]) {
      expect(refused.actions).toEqual([]);
      expect(refused.resources.map((r) => [r.key, r.refused.map((c) => c.destructive), r.note])).toEqual([
        ['Alarm/gone', ['the controller id was not stated'], 'refused: the controller id was not stated'],
      ]);
    }
    const proven = plan(new Set(owned.keys()));
    // The member named like the manifest goes last.
    expect(proven.actions.flatMap((a) => a.calls.map((c) => c.input))).toEqual([{ AlarmNames: ['gone-too'] }, { AlarmNames: ['gone'] }]);
  });

  it('prunes nothing the revision names, nothing without a manifest tag, no drill copy, and nothing when planning only some resources', () => {
    const ms = [alarm('kept', 1)];
    const owned = new Map<string, Record<string, string>>([
      ['arn:aws:cloudwatch:us-east-1:1:alarm:kept', { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'Alarm/kept' }],
      ['arn:aws:cloudwatch:us-east-1:1:alarm:untagged', { [MANAGED_BY_TAG]: 'ballast' }],
      ['arn:aws:rds:us-east-1:1:db:shop-db-drill-202611281824', { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'RestoreDrill/shop-db-drill' }],
      ['arn:aws:cloudwatch:us-east-1:1:alarm:gone', { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'Alarm/gone' }],
    ]);
    const full = buildPlan(ms, input(ms, { 'Alarm/kept': found(1) }, owned), registry, { ...settings, prune: true });
    expect(full.resources.map((r) => [r.key, r.status])).toEqual([
      ['Alarm/kept', 'in-sync'],
      ['Alarm/gone', 'prune'],
    ]);
    const only = buildPlan([...ms, alarm('other', 2)], input(ms, { 'Alarm/kept': found(1) }, owned), registry, { ...settings, prune: true, only: new Set(['Alarm/kept' as ResourceKey]) });
    expect(only.resources.map((r) => [r.key, r.status])).toEqual([['Alarm/kept', 'in-sync']]);
  });

  it('names a kind whose owned resources could not be listed, so that nothing owned goes unmentioned', () => {
    const plan = buildPlan([], { ...input([], {}), discoveryErrors: [{ kind: 'Alarm', error: { code: 'AccessDenied', message: 'not allowed', terminal: true } }] }, registry, settings);
    expect(plan.resources).toEqual([
      expect.objectContaining({ key: 'Alarm/*', status: 'error', error: { code: 'AccessDenied', message: 'cannot list owned Alarm resources for prune: not allowed', terminal: true } }),
    ]);
  });

  it('refuses a dependency cycle by name rather than overflowing the stack', () => {
    const ms = [alarm('a', 1, { labels: { after: 'b' } }), alarm('b', 1, { labels: { after: 'a' } })];
    expect(() => buildPlan(ms, input(ms, {}), registry, settings)).toThrow(/^dependency cycle through Alarm\/[ab]$/);
  });

  it('holds back the dependants of a resource that could not be read', () => {
    const ms = [alarm('base', 1), alarm('dep', 1, { labels: { after: 'base' } })];
    const plan = buildPlan(ms, input(ms, { 'Alarm/base': { state: 'error', error: { code: 'Throttling', message: 'slow down', terminal: false } } }), registry, settings);
    expect(plan.actions).toEqual([]);
    expect(plan.resources[1]?.note).toMatch(/waits for Alarm\/base/);
  });

  it('holds back the dependants of a resource Ballast does not own, even when the dependant is owned', () => {
    const ms = [alarm('base', 1), alarm('dep', 1, { labels: { after: 'base' } }), alarm('new', 1, { labels: { after: 'base' } })];
    const plan = buildPlan(ms, input(ms, { 'Alarm/base': found(0, false), 'Alarm/dep': found(0) }), registry, settings);
    expect(plan.actions).toEqual([]);
    expect(plan.resources.map((r) => [r.key, r.status, r.note])).toEqual([
      ['Alarm/base', 'unmanaged', expect.stringMatching(/^ownership lost: exists without ballast.dev\/managed-by=ballast.*ballast.dev\/adopt: "true" to take it back$/)],
      ['Alarm/dep', 'update', 'waits for Alarm/base, which Ballast does not own'],
      ['Alarm/new', 'create', 'waits for Alarm/base, which Ballast does not own'],
    ]);
  });

  it('holds back the dependants of a create that does not happen this run, down the whole chain', () => {
    const detect = { annotations: { 'ballast.dev/mode': 'detect' as const } };
    // Listed before what they depend on, so the order of the manifests cannot be what makes them wait.
    const ms = [alarm('third', 1, { labels: { after: 'second' } }), alarm('second', 1, { labels: { after: 'first' } }), alarm('first', 1, detect)];
    const plan = buildPlan(ms, input(ms, {}), registry, settings);
    expect(plan.actions).toEqual([]);
    expect(plan.resources.map((r) => [r.key, r.status, r.note])).toEqual([
      ['Alarm/third', 'create', expect.stringMatching(/^waits for Alarm\/second, which is not created in this run/)],
      ['Alarm/second', 'create', 'waits for Alarm/first, which is not created in this run (detect mode: reported, not applied)'],
      ['Alarm/first', 'create', 'detect mode: reported, not applied'],
    ]);
  });

  it('lets dependants of a resource that is created, updated or in sync this run go ahead after it', () => {
    const ms = [alarm('a', 1), alarm('b', 1), alarm('c', 1), ...['a', 'b', 'c'].map((after) => alarm(`on-${after}`, 1, { labels: { after } }))];
    const plan = buildPlan(ms, input(ms, { 'Alarm/b': found(0), 'Alarm/c': found(1) }), registry, settings);
    expect(plan.actions.map((a) => [a.id, a.dependsOn])).toEqual([
      ['Alarm/a', []],
      ['Alarm/b', []],
      ['Alarm/on-a', ['Alarm/a']],
      ['Alarm/on-b', ['Alarm/b']],
      ['Alarm/on-c', []],
    ]);
  });
});
