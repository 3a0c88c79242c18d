import { isDeepStrictEqual } from 'node:util';
import type { Manifest } from '../schema/index.js';
import type { ObserveContext, ResourceKey } from '../engine/types.js';
import type { AnyReconciler, ReconciledKind, ReconciledManifest, Registry } from '../engine/registry.js';
import type { HealthOutcome } from '../apply/index.js';
import { readHealth } from '../apply/index.js';
import type { Plan } from '../plan/types.js';

/** A resource applied and not yet healthy: what was sent, and until when it may take. */
export interface Progress {
  key: ResourceKey;
  /** The manifest as applied: a newer revision that changes it is planned afresh, not held. */
  manifest: ReconciledManifest;
  since: string;
  deadline: string;
  /** The last health read, for people. */
  reason: string;
  /** The clients and concurrency limits of its target: all a health read needs. */
  ctx: ObserveContext;
}

/**
 * The controller's memory of resources it applied that are still becoming healthy (an ECS rollout, an RDS modify).
 * Instead of waiting inside a reconcile, each later reconcile reads their health once; until one is healthy, failed
 * or past its timeout it is `progressing`: its actions are held back (never re-sent) and its differences are not
 * drift. Everything else, a newer revision included, is planned at once against live state. One that failed or
 * timed out is not sent again until its manifest changes (or live state comes back in line by itself).
 */
export class ProgressTracker {
  private readonly entries = new Map<ResourceKey, Progress>();
  /** Failed or timed out under this manifest: not sent again (a broken image would roll out, fail and roll back at every scan) until the manifest changes. */
  private readonly failed = new Map<ResourceKey, { manifest: ReconciledManifest; health: HealthOutcome }>();
  constructor(
    private readonly registry: Registry,
    private readonly timeouts: Record<ReconciledKind, number>,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** For /status: when it was applied, when it is given up on, and its last health read. */
  statusOf(key: string): Pick<Progress, 'since' | 'deadline' | 'reason'> | undefined {
    const p = this.entries.get(key as ResourceKey);
    return p && { since: p.since, deadline: p.deadline, reason: p.reason };
  }

  /** Starts (or restarts, for a resource applied again) following the resources an apply left progressing. */
  follow(outcomes: HealthOutcome[], manifests: Manifest[], ctx: ObserveContext, now = Date.now()): void {
    for (const h of outcomes.filter((o) => o.progressing)) {
      const manifest = manifests.find((m): m is ReconciledManifest => `${m.kind}/${m.metadata.name}` === h.key);
      if (!manifest) continue;
      const deadline = new Date(now + this.timeouts[manifest.kind]).toISOString();
      this.failed.delete(h.key);
      this.entries.set(h.key, { key: h.key, manifest, since: new Date(now).toISOString(), deadline, reason: h.reason, ctx });
    }
  }

  /**
   * One health read per resource followed. Healthy, failed and timed-out ones are settled (returned and forgotten);
   * the rest come back `progressing` with their latest reason. A resource gone from the revision is forgotten.
   */
  async check(manifests: Manifest[], now = () => Date.now()): Promise<HealthOutcome[]> {
    const inRevision = new Set(manifests.map((m) => `${m.kind}/${m.metadata.name}`));
    for (const map of [this.entries, this.failed]) for (const key of map.keys()) if (!inRevision.has(key)) map.delete(key);
    return Promise.all(
      [...this.entries.values()].map(async (p) => {
        const health = await readHealth(p.manifest, this.registry[p.manifest.kind] as AnyReconciler, p.ctx);
        let outcome: HealthOutcome = { key: p.key, ...health };
        if (!health.steady && !health.failed && now() < Date.parse(p.deadline)) {
          p.reason = health.reason;
          return { ...outcome, progressing: true };
        }
        this.entries.delete(p.key);
        if (!health.steady && !health.failed) {
          const seconds = this.timeouts[p.manifest.kind] / 1000;
          outcome = { ...outcome, timedOut: true, reason: `not healthy ${seconds}s after it was applied: ${health.reason}` };
        }
        if (!outcome.steady) this.failed.set(p.key, { manifest: p.manifest, health: outcome });
        return outcome;
      }),
    );
  }

  /**
   * Marks the plan's resources still progressing under the manifest that was applied: status `progressing`, their
   * actions dropped (what is rolling out is not sent again), their differences not drift. A resource whose manifest
   * changed since is left as planned: that is a new change from Git.
   */
  hold(plan: Plan, manifests: Manifest[]): void {
    const byKey = new Map(manifests.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
    const held = new Set<string>();
    for (const r of plan.resources) {
      const p = this.entries.get(r.key);
      const f = this.failed.get(r.key);
      if (f && !isDeepStrictEqual(f.manifest, byKey.get(r.key))) this.failed.delete(r.key);
      if (r.status === 'error') continue;
      if (p && isDeepStrictEqual(p.manifest, byKey.get(r.key))) {
        r.status = 'progressing';
        r.note = `progressing since ${p.since} (timeout ${p.deadline}): ${p.reason}`;
      } else if (f && this.failed.has(r.key) && r.actions.length > 0) {
        // What failed is not sent again; live state that has come back in line needs nothing and ends the memory.
        r.status = 'error';
        r.error = { code: f.health.timedOut ? 'HealthTimeout' : 'Unhealthy', message: f.health.reason, terminal: true };
        r.note = 'not sent again until its manifest changes';
      } else {
        if (f && r.actions.length === 0) this.failed.delete(r.key);
        continue;
      }
      for (const id of r.actions) held.add(id);
      r.actions = [];
    }
    plan.actions = plan.actions.filter((a) => !held.has(a.id));
  }
}
