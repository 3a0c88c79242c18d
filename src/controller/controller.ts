import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { loadRevision } from '../validate/index.js';
import type { Manifest, Mode } from '../schema/index.js';
import type { Kind } from '../schema/index.js';
import type { ReconciledKind, Registry } from '../engine/registry.js';
import { observeAndPlan } from '../engine/pipeline.js';
import { applyPlan, type ApplyResult } from '../apply/index.js';
import type { Session } from '../observe/context.js';
import { errorOf } from '../observe/index.js';
import type { Plan } from '../plan/types.js';
import { isDrift } from '../report/plan-text.js';
import { redactValue } from '../report/redact.js';
import type { Problem } from '../problem.js';
import type { NotificationPolicy, ReconcileReport } from '../report/notify.js';
import type { SlackNotifier } from '../report/slack.js';
import type { SourceRevision } from '../source/git.js';
import type { Metrics } from './metrics.js';
import type { HistoryStore } from '../history/store.js';
import { historyEntries } from '../history/entries.js';

export type Trigger = ReconcileReport['trigger'];

export interface ControllerSettings {
  defaultMode: Mode;
  prune: boolean;
  timeouts: Record<ReconciledKind, number>;
  healthPollMs: number;
  /** Backoff after a failed reconcile: doubles from base up to max, with jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface ControllerDeps {
  source: { sync(): Promise<SourceRevision> };
  session: Session;
  registry: Registry;
  logger: Logger;
  metrics: Metrics;
  policy: NotificationPolicy;
  notifier: SlackNotifier;
  /** Where every write is recorded; without it, only the logs tell. */
  history?: HistoryStore;
}

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

export interface ReconcileSummary {
  trigger: Trigger;
  revision?: string;
  result: 'success' | 'failure' | 'invalid' | 'source_error';
  /** A retry with backoff is scheduled: some failure may pass by itself. */
  retry: boolean;
  at: string;
  durationMs: number;
  writes: number;
}

/**
 * The long-running loop: one reconcile at a time; triggers arriving during a run coalesce into one follow-up run.
 * Level-triggered: each run reads Git and AWS afresh and never relies on what an earlier run did.
 */
export class Controller extends EventEmitter<{ started: [Trigger]; reconciled: [ReconcileSummary]; revision: [Manifest[]] }> {
  revision?: { sha: string; message: string; author: string; manifests: Manifest[]; loadedAt: string };
  badRevision?: { sha: string; problems: Problem[] };
  lastReconcile?: ReconcileSummary;
  awsReachable = false;
  readonly resources = new Map<string, ResourceStatusEntry>();

  private lastDrift: ReconcileReport['drift'] = [];
  /** Each resource's manifest as it was when last applied or found in sync: tells Git changes from drift. */
  private readonly reconciled = new Map<string, Manifest>();
  private pending?: Trigger;
  private running?: Promise<void>;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private readonly abort = new AbortController();

  constructor(
    private readonly settings: ControllerSettings,
    private readonly deps: ControllerDeps,
  ) {
    super();
  }

  get ready(): boolean {
    return this.revision !== undefined && this.awsReachable;
  }

  /** A reconcile is running or queued. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Asks for a reconcile; while one runs, all triggers fold into one follow-up run. */
  trigger(reason: Trigger): void {
    if (this.stopping) return;
    this.pending ??= reason;
    this.running ??= this.drain();
  }

  /** Stops taking triggers, lets the AWS call in flight finish, and waits for the current run to end. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.retryTimer);
    this.pending = undefined;
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.stopping) {
      const trigger = this.pending;
      this.pending = undefined;
      this.emit('started', trigger);
      const summary = await this.reconcile(trigger);
      this.lastReconcile = summary;
      this.scheduleRetry(summary);
      this.emit('reconciled', summary);
    }
    this.running = undefined;
  }

  /**
   * Backs off after a failure that may pass by itself (throttling, 5xx, network, an unreachable remote). Terminal
   * failures (a refused change, access denied, a missing reference) wait for the next change or scheduled scan
   * instead of hammering AWS with retries that cannot succeed.
   */
  private scheduleRetry(summary: ReconcileSummary): void {
    clearTimeout(this.retryTimer);
    if (!summary.retry) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    const ceiling = Math.min(this.settings.backoffMaxMs, this.settings.backoffBaseMs * 2 ** (this.failures - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.deps.logger.info({ failures: this.failures, retryInMs: Math.round(delay) }, 'reconcile failed: backing off');
    this.retryTimer = setTimeout(() => this.trigger('retry'), delay);
    this.retryTimer.unref();
  }

  private async reconcile(trigger: Trigger): Promise<ReconcileSummary> {
    const { logger, metrics, session } = this.deps;
    const started = Date.now();
    // Per-reconcile call records only: the metrics count calls as they happen, so nothing grows with uptime.
    session.aws.counter.reset();
    const end = (result: ReconcileSummary['result'], retry = result === 'failure' || result === 'source_error'): ReconcileSummary => {
      const durationMs = Date.now() - started;
      metrics.reconcileDuration.observe({ trigger }, durationMs / 1000);
      metrics.reconciles.inc({ result });
      if (result === 'success') metrics.lastSuccess.set(Date.now() / 1000);
      const summary = { trigger, revision: this.revision?.sha, result, retry, at: new Date().toISOString(), durationMs, writes: session.aws.counter.writes().length };
      logger.info(summary, 'reconcile finished');
      return summary;
    };
    logger.info({ trigger }, 'reconcile started');

    let sourceError: string | undefined;
    let head: 'new' | 'same' | 'rejected' = 'same';
    try {
      head = await this.loadSource();
    } catch (err) {
      sourceError = (err as Error).message;
      logger.warn({ err: sourceError }, 'source unavailable: keeping the last good revision');
    }
    // A poll that finds the commit already reconciled leaves AWS to the drift scans: one full read per scan, not two.
    if (trigger === 'poll' && head === 'same' && !sourceError && this.lastReconcile?.result === 'success') return end('success', false);
    const revision = this.revision;
    if (!revision) {
      await this.notify({
        ...this.outageReport('none', trigger),
        failures: sourceError ? [{ key: 'Source/git', code: 'SourceUnavailable', message: sourceError }] : [],
      });
      return end(sourceError ? 'source_error' : 'invalid');
    }

    let plan: Plan;
    let result: ApplyResult;
    try {
      const planned = await observeAndPlan(revision.manifests, session, this.deps.registry, this.settings);
      plan = planned.plan;
      this.awsReachable = !plan.resources.some((r) => r.status === 'error' && r.error && !r.error.terminal) || plan.resources.some((r) => r.status !== 'error');
      logger.info(
        { revision: revision.sha, resources: plan.resources.length, drifted: plan.resources.filter(isDrift).length, actions: plan.actions.length },
        'observed and planned',
      );
      result = await applyPlan(plan, revision.manifests, planned.observed.ctx, this.deps.registry, {
        timeouts: this.settings.timeouts,
        pollIntervalMs: this.settings.healthPollMs,
        signal: this.abort.signal,
        onEvent: (e) => {
          if (e.type === 'health') {
            logger.info({ revision: revision.sha, resource: e.key, steady: e.health.steady, reason: e.health.reason }, 'health');
          } else if (e.state !== 'started') {
            logger.info({ revision: revision.sha, resource: e.id.split('#')[0], action: e.id, state: e.state, detail: e.detail }, 'write');
          }
        },
      });
    } catch (err) {
      this.awsReachable = false;
      const error = errorOf(err);
      logger.error({ revision: revision.sha, code: error.code, err: error.message }, 'reconcile failed');
      await this.notify({ ...this.outageReport(revision.sha, trigger), failures: [{ key: 'AWS', code: error.code, message: error.message }] });
      return end('failure');
    }

    const report = this.record(plan, result, revision, trigger, sourceError);
    await this.recordHistory(plan, result, revision, trigger, new Set(report.drift.map((d) => d.key)));
    for (const f of report.failures) logger.warn({ revision: revision.sha, resource: f.key, code: f.code, err: f.message }, 'resource failed');
    await this.notify(report);
    const outcome = head === 'rejected' ? 'invalid' : report.failures.length > 0 ? 'failure' : 'success';
    return end(outcome, report.failures.some((f) => !f.terminal));
  }

  /** A history that cannot be written is logged, never a failed reconcile: the writes were made either way. */
  private async recordHistory(plan: Plan, result: ApplyResult, revision: NonNullable<Controller['revision']>, trigger: Trigger, drifted: Set<string>): Promise<void> {
    const entries = historyEntries(plan, result, { revision: revision.sha, author: revision.author, message: revision.message, trigger, drifted });
    try {
      await this.deps.history?.record(entries);
    } catch (err) {
      this.deps.logger.warn({ revision: revision.sha, entries: entries.length, err: (err as Error).message }, 'history not recorded');
    }
  }

  /** Fetches the branch head; a new revision replaces the last good one only when every manifest is valid. */
  private async loadSource(): Promise<'new' | 'same' | 'rejected'> {
    const head = await this.deps.source.sync();
    if (head.sha === this.revision?.sha || head.sha === this.badRevision?.sha) return 'same';
    const loaded = await loadRevision(head.dir, { cwd: head.root });
    if (loaded.problems.length > 0) {
      this.badRevision = { sha: head.sha, problems: loaded.problems };
      this.deps.logger.warn({ revision: head.sha, problems: loaded.problems.length }, 'invalid revision rejected: keeping the last good one');
      return 'rejected';
    }
    this.revision = { sha: head.sha, message: head.message, author: head.author, manifests: loaded.manifests, loadedAt: new Date().toISOString() };
    this.badRevision = undefined;
    this.deps.metrics.setRevision(head.sha);
    this.emit('revision', loaded.manifests);
    this.deps.logger.info({ revision: head.sha, manifests: loaded.manifests.length }, 'revision loaded');
    return 'new';
  }

  /** Updates /status and metrics from one reconcile, and turns it into the report Slack sees. */
  private record(
    plan: Plan,
    result: ApplyResult,
    revision: NonNullable<Controller['revision']>,
    trigger: ReconcileReport['trigger'],
    sourceError?: string,
  ): ReconcileReport {
    const sha = revision.sha;
    const manifests = new Map(revision.manifests.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
    const outcomes = new Map(result.actions.map((a) => [a.id, a]));
    const now = new Date().toISOString();
    const report: ReconcileReport = { ...this.outageReport(sha, trigger), drift: [] };
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
        this.deps.metrics.countDrift(r.kind, done);
        // Scaling changes (replicas following traffic) are decisions, not drift.
        for (const c of r.changes.filter((x) => !x.pending && !x.scaling)) {
          report.drift.push({ key: r.key, path: c.path, live: c.live, desired: c.desired, mode: r.mode === 'detect' ? 'detect' : 'enforce', corrected: done && !c.unfixable });
        }
      }
      // A reverted drift is already told by the drift message; "applied" is for changes that came from Git.
      if (done && !drifted) {
        const planned = plan.actions.filter((a) => r.actions.includes(a.id));
        report.applied.push({
          key: r.key,
          summary: planned.map((a) => a.summary).join('; '),
          operations: planned.flatMap((a) => a.calls.map((c) => c.operation)),
          changes: r.changes.filter((c) => !c.pending).map(({ path, live, desired }) => ({ path, live, desired })),
        });
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
      if (r.explanation) this.deps.logger.info({ revision: revision.sha, resource: r.key, explanation: r.explanation }, 'decision');
      const manifest = manifests.get(r.key);
      if (manifest && (done || r.status === 'in-sync')) this.reconciled.set(r.key, manifest);
    }
    if (sourceError) report.failures.push({ key: 'Source/git', code: 'SourceUnavailable', message: sourceError });
    this.deps.metrics.setDrift(driftByKind);
    this.deps.metrics.setResources(plan.resources.map((r) => ({ kind: r.kind, name: r.name, status: r.status, mode: r.mode, suspended: r.status === 'suspended' })));
    this.lastDrift = report.drift;
    return report;
  }

  /**
   * A report for a run that could not look at AWS: it repeats the last drift seen (so Slack does not take the
   * outage for "drift gone" and report it again later) and carries the rejected revision while the head is invalid.
   */
  private outageReport(revision: string, trigger: ReconcileReport['trigger']): ReconcileReport {
    const commit = this.revision?.sha === revision ? { author: this.revision.author.replace(/\s*<[^>]*>$/, ''), subject: this.revision.message.split('\n')[0] ?? '' } : undefined;
    return {
      revision,
      ...(commit ? { commit } : {}),
      trigger,
      drift: this.lastDrift,
      applied: [],
      failures: [],
      ...(this.badRevision ? { invalid: { revision: this.badRevision.sha, problems: this.badRevision.problems } } : {}),
    };
  }

  private async notify(report: ReconcileReport): Promise<void> {
    for (const message of this.deps.policy.decide(report)) await this.deps.notifier.send(message);
  }
}
