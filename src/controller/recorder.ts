import type { Logger } from 'pino';
import type { Kind, Manifest } from '../schema/index.js';
import type { ApplyResult } from '../apply/index.js';
import type { Plan } from '../plan/types.js';
import type { Problem } from '../problem.js';
import type { ReconcileReport } from '../report/notify.js';
import type { ScalarIndex } from '../report/locate.js';
import type { PlanCostReport } from '../cost/index.js';
import type { Metrics } from './metrics.js';
import type { Trigger } from './triggers.js';
import { accountResources, type ProgressOf, type ResourceStatusEntry } from './record.js';
import type { Seen } from '../seen/index.js';
import { updateProof } from '../seen/proof.js';
import type { Observed } from '../observe/index.js';

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
  private lastFailures: ReconcileReport['failures'] = [];
  private readonly reconciled = new Map<string, string>();
  private readonly provenArns = new Set<string>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Updates /status and metrics from one reconcile, and turns it into the report Slack sees. A reconcile of `only`
   * some resources (an event's) replaces what is known of those and keeps the rest, so the report still covers the
   * whole estate: drift and failures elsewhere are not taken for gone.
   */
  record(
    plan: Plan,
    result: ApplyResult,
    revision: RevisionInForce,
    base: ReconcileReport,
    progress: ProgressOf,
    cost?: PlanCostReport,
    only?: ReadonlySet<string>,
    observed?: Observed,
  ): ReconcileReport {
    const manifests = new Map(revision.manifests.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
    const outcome = accountResources(plan, result, { manifests, reconciled: this.reconciled, cost, now: new Date().toISOString(), progress });
    const kept = <T extends { key: string }>(items: T[]) => (only ? items.filter((i) => !only.has(i.key)) : []);
    this.lastDrift = [...kept(this.lastDrift), ...outcome.drift];
    this.lastFailures = [...kept(this.lastFailures), ...outcome.failures];
    const report: ReconcileReport = { ...base, drift: this.lastDrift, applied: outcome.applied, failures: [...this.lastFailures] };
    if (only) for (const key of only) this.resources.delete(key);
    else this.resources.clear();
    const suspended = new Map((base.suspended ?? []).map(({ key, ...s }) => [key, s]));
    for (const entry of outcome.resources) {
      const suspension = suspended.get(entry.key);
      if (suspension) entry.suspension = suspension;
      this.resources.set(entry.key, entry);
      if (entry.explanation) this.logger.info({ revision: revision.sha, resource: entry.key, explanation: entry.explanation }, 'decision');
    }
    for (const [key, digest] of outcome.converged) this.reconciled.set(key, digest);
    updateProof(this.provenArns, plan, result, outcome.converged, observed);
    const byKind = (match: (e: ResourceStatusEntry) => boolean) => {
      const counts: Partial<Record<Kind, number>> = {};
      for (const e of this.resources.values()) {
        const kind = e.key.split('/')[0] as Kind;
        if (match(e)) counts[kind] = (counts[kind] ?? 0) + 1;
      }
      return counts;
    };
    this.metrics.setDrift(byKind((e) => e.drift !== undefined));
    this.metrics.setOwnershipLost(byKind((e) => e.drift === 'ownership-lost'));
    for (const key of new Set(outcome.drift.map((d) => d.key))) {
      this.metrics.countDrift(key.split('/')[0] as Kind, outcome.drift.every((d) => d.key !== key || d.corrected));
    }
    this.metrics.setResources([...this.resources.values()].map((e) => {
      const [kind, name] = e.key.split('/') as [Kind, string];
      return { kind, name, target: e.target, status: e.status, mode: e.mode, suspended: e.status === 'suspended' };
    }));
    return report;
  }

  /** Between full reconciles: the latest health read of each resource still progressing. */
  refreshProgress(progress: ProgressOf): void {
    for (const entry of this.resources.values()) {
      const latest = entry.status === 'progressing' ? progress(entry.key) : undefined;
      if (latest) entry.progress = latest;
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
