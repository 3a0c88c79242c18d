import type { Logger } from 'pino';
import type { Manifest } from '../schema/index.js';
import type { ApplyResult } from '../apply/index.js';
import type { Plan } from '../plan/types.js';
import type { Problem } from '../problem.js';
import type { ReconcileReport } from '../report/notify.js';
import type { ScalarIndex } from '../report/locate.js';
import type { PlanCostReport } from '../cost/index.js';
import type { Metrics } from './metrics.js';
import type { Trigger } from './triggers.js';
import { accountResources, type ResourceStatusEntry } from './record.js';
import { MANIFEST_TAG } from '../engine/tags.js';
import type { Seen } from '../seen/index.js';
import type { Observed } from '../observe/index.js';
import type { ResourceKey } from '../engine/types.js';

/** The ARNs in a live resource: its own, and those of the members it lists (a DB's read replicas). */
function arnsOf(live: unknown): string[] {
  const record = (v: unknown) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const own = record(live).arn;
  const members = Object.values(record(live)).flatMap((v) => (Array.isArray(v) ? v.map((item) => record(item).arn) : []));
  return [own, ...members].filter((a): a is string => typeof a === 'string' && a.startsWith('arn:'));
}

export interface RevisionInForce {
  sha: string;
  message: string;
  author: string;
  manifests: Manifest[];
  scalars: ScalarIndex[];
  loadedAt: string;
}

/** The branch head that was not applied: invalid manifests (`problems`) or a commit signed by no allowed key (`refused`). */
export interface RejectedRevision {
  sha: string;
  problems: Problem[];
  refused?: { committer: string; reason: string };
}

/**
 * What the controller remembers between reconciles: every resource's status for /status, the drift metrics, the
 * last drift seen, and each resource's manifest as last seen in place (which tells a Git change from drift).
 */
export class StatusRecorder {
  readonly resources = new Map<string, ResourceStatusEntry>();
  private lastDrift: ReconcileReport['drift'] = [];
  private readonly reconciled = new Map<string, string>();
  private readonly provenArns = new Set<string>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Updates /status and metrics from one reconcile, and turns it into the report Slack sees. */
  record(plan: Plan, result: ApplyResult, revision: RevisionInForce, base: ReconcileReport, cost?: PlanCostReport, observed?: Observed): ReconcileReport {
    const manifests = new Map(revision.manifests.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
    const outcome = accountResources(plan, result, { manifests, reconciled: this.reconciled, cost, now: new Date().toISOString() });
    const report: ReconcileReport = { ...base, drift: outcome.drift, applied: outcome.applied, failures: outcome.failures };
    this.resources.clear();
    for (const entry of outcome.resources) {
      this.resources.set(entry.key, entry);
      if (entry.explanation) this.logger.info({ revision: revision.sha, resource: entry.key, explanation: entry.explanation }, 'decision');
    }
    for (const [key, digest] of outcome.converged) this.reconciled.set(key, digest);
    this.recordProof(plan, result, outcome.converged, observed);
    this.metrics.setDrift(outcome.driftByKind);
    this.metrics.setOwnershipLost(outcome.lostByKind);
    this.lastDrift = report.drift;
    return report;
  }

  /**
   * The ARNs proven this controller's (src/plan/prune-guard.ts): the very resources its reconcilers observed for a
   * manifest in place (applied or in sync) and found carrying its tags. Matching by the manifest tag alone would not
   * do: another team's DbInstance/db may carry the same tag on another identifier. An ARN leaves the record once it
   * is pruned or no longer carries the id, so a resource someone else creates later under the same name proves nothing.
   */
  private recordProof(plan: Plan, result: ApplyResult, converged: [string, string][], observed: Observed | undefined): void {
    const owned = observed?.owned;
    if (!observed || !owned || owned.size === 0) return; // not read (or nothing owned): keep the record as it is
    const done = new Set(result.actions.filter((a) => a.state === 'done').map((a) => a.id));
    const pruned = new Set(plan.resources.filter((r) => r.status === 'prune' && r.actions.some((id) => done.has(id))).map((r) => r.key as string));
    for (const arn of this.provenArns) if (!owned.has(arn) || pruned.has(owned.get(arn)?.[MANIFEST_TAG] ?? '')) this.provenArns.delete(arn);
    for (const [key] of converged) {
      const o = observed.observations.get(key as ResourceKey);
      if (o?.state !== 'found') continue;
      for (const arn of arnsOf(o.live)) if (owned.get(arn)?.[MANIFEST_TAG] === key) this.provenArns.add(arn);
    }
  }

  /** What this controller has seen in place (src/seen), to keep where a restart finds it. */
  get seen(): Seen {
    return { digests: new Map(this.reconciled), arns: new Set(this.provenArns) };
  }

  /** Takes what a store kept over what this process remembers: another replica may have led since. */
  restoreSeen(seen: Seen): void {
    this.reconciled.clear();
    for (const [key, digest] of seen.digests) this.reconciled.set(key, digest);
    this.provenArns.clear();
    for (const arn of seen.arns) this.provenArns.add(arn);
  }

  /**
   * A report for a run that could not look at AWS: it repeats the last drift seen (so Slack does not take the
   * outage for "drift gone" and report it again later) and carries the rejected revision while the head is invalid.
   */
  outageReport(revision: string, triggers: Trigger[], rejected?: RejectedRevision): ReconcileReport {
    return {
      revision,
      triggers,
      drift: this.lastDrift,
      applied: [],
      failures: [],
      ...(rejected ? { invalid: { revision: rejected.sha, problems: rejected.problems, refused: rejected.refused } } : {}),
    };
  }
}
