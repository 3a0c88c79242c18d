import { EventEmitter } from 'node:events';
import type { Manifest } from '../schema/index.js';
import type { ApplyResult } from '../apply/index.js';
import { planTargets, type PlannedTargets } from '../targets/each.js';
import { applyAndFollow, placedIn } from './apply-targets.js';
import { TargetSessions } from '../targets/sessions.js';
import { errorOf, type Observed } from '../observe/index.js';
import type { Plan } from '../plan/types.js';
import { isDrift } from '../plan/drift.js';
import type { ReconcileReport } from '../report/notify.js';
import { pinErrors } from '../report/locate.js';
import { selectPresent } from '../plan/target.js';
import { PendingTriggers, partialRun, type Trigger } from './triggers.js';
import { RetryBackoff } from './backoff.js';
import { keepSeen, restoreSeen } from '../seen/keep.js';
import { StatusRecorder, type RejectedRevision, type RevisionInForce } from './recorder.js';
import { ProgressTracker } from '../progress/index.js';
import { loadHead } from './revisions.js';
import type { ResourceStatusEntry } from './record.js';
import type { ControllerDeps, ControllerSettings, ReconcileSummary } from './types.js';
import { recordHistory } from '../history/record.js';
import { suspendIn, type Suspension } from '../suspend/index.js';
import { stillHeld } from '../sharing/held.js';
import { mayReport } from './report-gate.js';
import { SourceOutage } from './source-outage.js';

export type { ResourceStatusEntry } from './record.js';

export type { Trigger } from './triggers.js';
export type { ControllerDeps, ControllerSettings, ReconcileSummary } from './types.js';

/**
 * The long-running loop: one reconcile at a time; triggers arriving during a run coalesce into one follow-up run.
 * Level-triggered: each run reads Git and AWS afresh and never relies on what an earlier run did.
 */
export class Controller extends EventEmitter<{ started: [Trigger[]]; reconciled: [ReconcileSummary]; revision: [Manifest[]] }> {
  revision?: RevisionInForce;
  badRevision?: RejectedRevision;
  lastReconcile?: ReconcileSummary;
  awsReachable = false;
  private readonly source = new SourceOutage();
  /** The last reconcile of the whole estate succeeded and none failed since (a partial run's success says nothing of the rest). */
  private inSync = false;
  private readonly recorder: StatusRecorder;
  /** Resources applied and not yet healthy: read again on each reconcile and every healthPollMs, never waited for. */
  private readonly progress: ProgressTracker;
  private readonly pending = new PendingTriggers();
  private running?: Promise<void>;
  private readonly backoff: RetryBackoff;
  private progressTimer?: NodeJS.Timeout;
  private expiryTimer?: NodeJS.Timeout;
  /** The runtime suspensions the last reconcile honoured (src/suspend). */
  suspended: Suspension[] = [];
  private readonly abort = new AbortController();
  private readonly sessions: TargetSessions;

  constructor(
    private readonly settings: ControllerSettings,
    private readonly deps: ControllerDeps,
  ) {
    super();
    this.recorder = new StatusRecorder(deps.metrics, deps.logger);
    this.progress = new ProgressTracker(deps.registry, settings.timeouts);
    this.sessions = deps.sessions ?? new TargetSessions(deps.session);
    this.backoff = new RetryBackoff(settings.backoffBaseMs, settings.backoffMaxMs, deps.logger, () => this.trigger('retry'));
  }

  get resources(): ReadonlyMap<string, ResourceStatusEntry> {
    return this.recorder.resources;
  }

  get ready(): boolean {
    return this.revision !== undefined && this.awsReachable;
  }

  /** Something applied is still rolling out: a health read's reconcile will follow when it settles. */
  get progressing(): boolean {
    return this.progress.size > 0;
  }

  /** A reconcile is running or queued. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** May run a reconcile and report it: the leader while its lease is fresh, or every replica sharing the targets. */
  private get acting(): boolean {
    return this.deps.targets !== undefined || this.deps.leader.leading;
  }

  /** Takes triggers: the elected leader also while a renewal is late (they wait for it), or every sharer. */
  private get accepting(): boolean {
    return this.deps.targets !== undefined || this.deps.leader.elected;
  }

  /**
   * Asks for a reconcile (of `resources` only, for an event); while one runs, all triggers fold into one follow-up
   * run that keeps every reason. A standby ignores triggers (replicas that share the targets all reconcile theirs).
   */
  trigger(reason: Trigger, resources?: string[]): void {
    if (this.stopping || !this.accepting) return;
    this.pending.add(reason, resources);
    this.drainIfActing();
  }

  /** Runs what waited for a late lease renewal, now that it landed. */
  wake(): void {
    if (!this.pending.empty) this.drainIfActing();
  }

  private drainIfActing(): void {
    if (this.running || this.stopping) return;
    if (this.acting) this.running = this.drain();
    // Every call it made would be refused with LeaseLost: it runs when the renewal lands (wake).
    else if (this.accepting) this.deps.logger.info('reconcile waits for the lease renewal');
  }

  /** Stops taking triggers, lets the AWS call in flight finish, and waits for the current run to end. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.progressTimer);
    clearTimeout(this.expiryTimer);
    this.pending.take();
    await this.running;
    // After the run in flight: its end may still schedule a retry.
    this.backoff.stop();
  }

  private async drain(): Promise<void> {
    while (!this.pending.empty && !this.stopping && this.acting) {
      const { triggers, only } = this.pending.take();
      this.emit('started', triggers);
      const summary = await this.reconcile(triggers, only);
      this.lastReconcile = summary;
      this.inSync = summary.result === 'success' && (this.inSync || !partialRun(summary));
      this.backoff.after(summary);
      this.scheduleProgressCheck();
      this.scheduleExpiry();
      this.emit('reconciled', summary);
    }
    this.running = undefined;
    if (!this.pending.empty) this.drainIfActing();
  }

  /** While anything is progressing, its health is read again after healthPollMs, without waiting for a poll or scan. */
  private scheduleProgressCheck(): void {
    if (this.progress.size === 0 || this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.trigger('progress');
    }, this.settings.healthPollMs);
    this.progressTimer.unref();
  }

  /** A suspension given a duration ends by itself: the resource is read and corrected again as soon as it ends. */
  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const due = this.deps.suspensions.nextExpiry(this.suspended);
    if (due === undefined) return;
    // setTimeout fires at once past 2^31-1 ms (24.8 days): a longer suspension is looked at again then.
    this.expiryTimer = setTimeout(() => this.trigger('expiry'), Math.min(due + 10, 2 ** 31 - 1));
    this.expiryTimer.unref();
  }

  /** The suspensions in force; unreadable, the last ones read stay honoured rather than dropped silently. */
  private async readSuspensions(): Promise<Suspension[]> {
    const { suspended, error } = await this.deps.suspensions.current();
    if (error) this.deps.logger.warn({ err: error }, 'could not read the suspensions: honouring the last ones read');
    this.suspended = suspended;
    return suspended;
  }

  private async reconcile(triggers: Trigger[], only?: string[]): Promise<ReconcileSummary> {
    const { logger, metrics, session } = this.deps;
    const started = Date.now();
    // Per-reconcile call records only: the metrics count calls as they happen, so nothing grows with uptime.
    session.aws.counter.reset();
    const end = (result: ReconcileSummary['result'], retry = result === 'failure' || result === 'source_error'): ReconcileSummary => {
      const durationMs = Date.now() - started;
      metrics.reconcileDuration.observe({ trigger: triggers.join('+') }, durationMs / 1000);
      metrics.reconciles.inc({ result });
      if (result === 'success') metrics.lastSuccess.set(Date.now() / 1000);
      const summary = { triggers, ...(only ? { only } : {}), revision: this.revision?.sha, result, retry, at: new Date().toISOString(), durationMs, writes: session.aws.counter.writes().length };
      logger.info(summary, 'reconcile finished');
      return summary;
    };
    logger.info({ triggers, only }, 'reconcile started');
    // An event is checked against the revision in force, and a health read of what is progressing needs no fetch.
    const fetches = !partialRun({ triggers, only });
    const head = fetches ? await this.source.fetch(() => this.loadSource(), logger) : 'same';
    const sourceFailure = this.source.failure(fetches);
    // A poll that finds the commit already reconciled leaves AWS to the drift scans: one full read per scan, not two.
    if (triggers.length === 1 && triggers[0] === 'poll' && head === 'same' && !sourceFailure && this.inSync) return end('success', false);
    const revision = this.revision;
    if (!revision) {
      await this.notify({
        ...this.outageReport('none', triggers),
        failures: sourceFailure ? [sourceFailure] : [],
      });
      return end(sourceFailure ? 'source_error' : 'invalid');
    }

    const selected = only ? selectPresent(only, revision.manifests, this.deps.registry) : undefined;
    if (selected?.size === 0) return end('success', false);
    // Suspended resources run with the suspend mode: not read, not corrected, not drift (the digests stay Git's).
    const manifests = suspendIn(revision.manifests, await this.readSuspensions());
    let plan: Plan;
    let result: ApplyResult;
    let observed: Observed | undefined;
    let planned: PlannedTargets;
    try {
      await restoreSeen(this.deps.seen, this.recorder, logger);
      const settled = await this.progress.check(manifests);
      for (const h of settled.filter((s) => !s.progressing)) logger.info({ resource: h.key, steady: h.steady, timedOut: h.timedOut, reason: h.reason }, 'progress settled');
      // Only a health read was due and everything is still on its way: no full read of AWS for that.
      if (!fetches && !only && settled.every((s) => s.progressing)) {
        this.recorder.refreshProgress((key) => this.progress.statusOf(key));
        return end('success', false);
      }
      // Prune under the default controller id deletes only what this controller itself kept (src/plan/prune-guard.ts).
      const provenOwned = this.deps.seen ? this.recorder.seen.arns : undefined;
      // Each target is read and applied in its own account and region; one that fails fails only its resources.
      const targets = this.deps.targets;
      planned = await planTargets(manifests, this.sessions, this.deps.registry, { ...this.settings, only: selected, provenOwned }, targets && ((t) => targets.holds(t)));
      observed = planned.observed;
      plan = planned.plan;
      this.progress.hold(plan, manifests);
      pinErrors(plan, revision.scalars);
      this.awsReachable = !plan.resources.some((r) => r.status === 'error' && r.error && !r.error.terminal) || plan.resources.some((r) => r.status !== 'error');
      logger.info(
        { revision: revision.sha, resources: plan.resources.length, drifted: plan.resources.filter(isDrift).length, actions: plan.actions.length, suspended: this.suspended.map((x) => x.key) },
        'observed and planned',
      );
      const deps = { registry: this.deps.registry, logger, progress: this.progress };
      result = await applyAndFollow(planned, deps, revision.sha, { timeouts: this.settings.timeouts, pollIntervalMs: this.settings.healthPollMs, deferHealth: true, signal: this.abort.signal });
      const followedUp = settled.filter((s) => !s.progressing && !result.health.some((h) => h.key === s.key));
      result = { ...result, health: [...followedUp, ...result.health] };
      if (targets) ({ plan, result } = stillHeld(plan, result, targets));
    } catch (err) {
      this.awsReachable = false;
      const error = errorOf(err);
      logger.error({ revision: revision.sha, code: error.code, err: error.message }, 'reconcile failed');
      await this.notify({ ...this.outageReport(revision.sha, triggers), failures: [{ key: 'AWS', code: error.code, message: error.message, terminal: error.terminal }] });
      return end('failure');
    }

    const cost = await this.deps.costOf?.(planned, revision.manifests);
    const before = this.recorder.seen;
    const report = this.recorder.record(plan, result, revision, this.outageReport(revision.sha, triggers), (key) => this.progress.statusOf(key), cost, selected, observed);
    const reporting = await mayReport(this.acting, this.deps.leader, report, logger);
    await keepSeen(this.deps.seen, this.recorder, before, reporting, logger);
    if (sourceFailure) report.failures.push(sourceFailure);
    // A replica that lost its lease mid-run leaves the record, like the report, to the leader.
    if (reporting) await recordHistory(this.deps.history, this.deps.logger, plan, result, {
      revision: revision.sha,
      author: revision.author,
      message: revision.message,
      trigger: triggers.join('+'),
      drifted: new Set(report.drift.map((d) => d.key)),
    });
    const placed = placedIn(plan);
    for (const f of report.failures) logger.warn({ revision: revision.sha, resource: f.key, ...placed(f.key), code: f.code, err: f.message }, 'resource failed');
    await this.notify(report);
    const outcome = head === 'rejected' ? 'invalid' : report.failures.length > 0 ? 'failure' : 'success';
    return end(outcome, report.failures.some((f) => !f.terminal));
  }

  /** A new revision replaces the last good one only when every manifest is valid. */
  private async loadSource(): Promise<'new' | 'same' | 'rejected'> {
    const { source, loader, verifier, logger } = this.deps;
    const loaded = await loadHead({ source, loader, verifier, logger, revisionLimits: this.settings.revisionLimits }, { revision: this.revision?.sha, rejected: this.badRevision?.sha });
    if (loaded.head === 'rejected') this.badRevision = loaded.rejected;
    if (loaded.head !== 'new') return loaded.head;
    const { revision } = loaded;
    this.revision = revision;
    this.badRevision = undefined;
    this.deps.metrics.setRevision(revision.sha);
    this.emit('revision', revision.manifests);
    logger.info({ revision: revision.sha, manifests: revision.manifests.length, ...(loaded.signer ? { signer: loaded.signer } : {}) }, 'revision loaded');
    return 'new';
  }

  private outageReport(revision: string, triggers: Trigger[]): ReconcileReport {
    const commit = this.revision?.sha === revision ? { author: this.revision.author.replace(/\s*<[^>]*>$/, ''), subject: this.revision.message.split('\n')[0] ?? '' } : undefined;
    return { ...this.recorder.outageReport(revision, triggers, this.badRevision), ...(commit ? { commit } : {}), suspended: this.suspended };
  }

  /** A replica that lost the lease mid-run leaves telling Slack to the new leader. */
  private async notify(report: ReconcileReport): Promise<void> {
    if (!(await mayReport(this.acting, this.deps.leader, report, this.deps.logger))) {
      this.deps.logger.info({ revision: report.revision }, 'not leading: report left to the leader');
      return;
    }
    for (const message of this.deps.policy.decide(report)) await this.deps.notifier.send(message);
  }
}
