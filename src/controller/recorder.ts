import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { Kind, Manifest, Mode } from '../schema/index.js';
import type { ApplyResult } from '../apply/index.js';
import type { Plan } from '../plan/types.js';
import { isDrift } from '../report/plan-text.js';
import { redactValue } from '../report/redact.js';
import type { Problem } from '../problem.js';
import type { ReconcileReport } from '../report/notify.js';
import type { Metrics } from './metrics.js';

export interface ResourceStatusEntry {
  key: string;
  status: string;
  mode: Mode;
  changes: { path: string; live: unknown; desired: unknown; pending?: boolean; scaling?: boolean; reason?: string }[];
  lastError?: { code: string; message: string };
  lastAppliedAt?: string;
  /** A decision the live state led to, e.g. the read replica scaler's. */
  explanation?: string;
}

export interface RevisionInForce {
  sha: string;
  message: string;
  author: string;
  manifests: Manifest[];
  loadedAt: string;
}

/**
 * What the controller remembers between reconciles for people, not for decisions: every resource's status for
 * /status, the drift metrics, and the Slack report of each run. Which manifest each resource last converged to
 * tells a change from Git (applied) from drift (someone changed AWS).
 */
export class StatusRecorder {
  readonly resources = new Map<string, ResourceStatusEntry>();
  private lastDrift: ReconcileReport['drift'] = [];
  private readonly reconciled = new Map<string, Manifest>();

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Updates /status and metrics from one reconcile, and turns it into the report Slack sees. */
  record(plan: Plan, result: ApplyResult, revision: RevisionInForce, base: ReconcileReport): ReconcileReport {
    const manifests = new Map(revision.manifests.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
    const outcomes = new Map(result.actions.map((a) => [a.id, a]));
    const now = new Date().toISOString();
    const report: ReconcileReport = { ...base, drift: [] };
    const driftByKind: Partial<Record<Kind, number>> = {};
    this.resources.clear();
    for (const r of plan.resources) {
      const done = r.actions.length > 0 && r.actions.every((id) => outcomes.get(id)?.state === 'done');
      const failed = r.actions.map((id) => outcomes.get(id)).find((o) => o && o.state !== 'done');
      const health = result.health.find((h) => h.key === r.key && !h.steady);
      const error = r.error ?? failed?.error ?? (health ? { code: 'Unhealthy', message: health.reason } : undefined);
      // A difference right after its manifest changed in Git is a change to apply, not drift.
      const last = this.reconciled.get(r.key);
      const fromGit = last !== undefined && !isDeepStrictEqual(last, manifests.get(r.key));
      const drifted = isDrift(r) && !fromGit;
      if (drifted) {
        driftByKind[r.kind] = (driftByKind[r.kind] ?? 0) + 1;
        // Scaling changes (replicas following traffic) are decisions, not drift.
        for (const c of r.changes.filter((x) => !x.pending && !x.scaling)) {
          report.drift.push({ key: r.key, path: c.path, live: c.live, desired: c.desired, mode: r.mode === 'detect' ? 'detect' : 'enforce', corrected: done && !c.unfixable });
        }
      }
      // A reverted drift is already told by the drift message; "applied" is for changes that came from Git.
      if (done && !drifted) {
        const planned = plan.actions.filter((a) => r.actions.includes(a.id));
        report.applied.push({ key: r.key, summary: planned.map((a) => a.summary).join('; '), operations: planned.flatMap((a) => a.calls.map((c) => c.operation)) });
      }
      if (error) report.failures.push({ key: r.key, code: error.code, message: error.message, terminal: 'terminal' in error ? error.terminal : false });
      if (r.refused.length > 0) report.failures.push({ key: r.key, code: 'Refused', message: r.note ?? 'destructive change refused', terminal: true });
      this.resources.set(r.key, {
        key: r.key,
        status: r.status,
        mode: r.mode,
        changes: r.changes.map((c) => ({
          path: c.path,
          live: redactValue(c.path, c.live),
          desired: redactValue(c.path, c.desired),
          pending: c.pending,
          scaling: c.scaling,
          reason: c.reason,
        })),
        lastError: error ? { code: error.code, message: error.message } : undefined,
        lastAppliedAt: done ? now : undefined,
        explanation: r.explanation,
      });
      if (r.explanation) this.logger.info({ revision: revision.sha, resource: r.key, explanation: r.explanation }, 'decision');
      const manifest = manifests.get(r.key);
      if (manifest && (done || r.status === 'in-sync')) this.reconciled.set(r.key, manifest);
    }
    this.metrics.setDrift(driftByKind);
    this.lastDrift = report.drift;
    return report;
  }

  /**
   * A report for a run that could not look at AWS: it repeats the last drift seen (so Slack does not take the
   * outage for "drift gone" and report it again later) and carries the rejected revision while the head is invalid.
   */
  outageReport(revision: string, trigger: ReconcileReport['trigger'], badRevision?: { sha: string; problems: Problem[] }): ReconcileReport {
    return {
      revision,
      trigger,
      drift: this.lastDrift,
      applied: [],
      failures: [],
      ...(badRevision ? { invalid: { revision: badRevision.sha, problems: badRevision.problems } } : {}),
    };
  }
}
