import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BALLAST_VERSION } from '../version.js';
import type { CallCounter } from '../aws/counter.js';
import type { Kind } from '../schema/index.js';
import { RECONCILED_KINDS } from '../engine/registry.js';
import type { DrillResult } from '../drill/types.js';

/** HTTP codes the webhook answers with; each is a series from the start (others appear when first seen). */
const WEBHOOK_CODES = ['202', '400', '401', '413', '415'];
export type SlackOutcome = 'sent' | 'failed';

/** One managed resource as /metrics shows it. */
export interface ResourceInfo {
  kind: string;
  name: string;
  /** metadata.target; absent for the default target. */
  target?: string;
  status: string;
  mode: string;
  suspended: boolean;
}

/**
 * The controller's Prometheus metrics, on a registry of their own (served at /metrics). Label values are bounded:
 * kinds, statuses, modes, outcomes and HTTP codes are fixed sets; resource names are those of the manifests.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly reconcileDuration = new Histogram({
    name: 'ballast_reconcile_duration_seconds',
    help: 'Duration of one reconcile: source, validate, observe, plan, apply, health',
    labelNames: ['trigger'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });
  readonly reconciles = new Counter({
    name: 'ballast_reconciles_total',
    help: 'Reconciles by result: success, failure (some resource failed), invalid (revision rejected), source_error',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: 'ballast_last_successful_reconcile_timestamp_seconds',
    help: 'Unix time of the last reconcile in which every resource converged',
    registers: [this.registry],
  });
  readonly drifted = new Gauge({
    name: 'ballast_drifted_resources',
    help: 'Resources whose live state differed from the manifests at the last reconcile, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly ownershipLost = new Gauge({
    name: 'ballast_ownership_lost_resources',
    help: 'Resources a manifest names that exist without this controller\'s ownership tag (or dashboard marker), by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly awsCalls = new Counter({
    name: 'ballast_aws_calls_total',
    help: 'AWS API calls by service, operation and outcome (success, throttled, error)',
    labelNames: ['service', 'operation', 'outcome'],
    registers: [this.registry],
  });
  readonly revision = new Gauge({
    name: 'ballast_revision_info',
    help: 'The Git revision in force (value 1)',
    labelNames: ['sha'],
    registers: [this.registry],
  });

  readonly events = new Counter({
    name: 'ballast_events_total',
    help: 'Messages from the events queue by outcome: reconcile, own (the controller\'s write), unmanaged, foreign, malformed',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'ballast_leader',
    help: 'Whether this replica holds the leader lease and reconciles (1) or stands by (0)',
    registers: [this.registry],
  });
  /** Where ballast_target_held finds the targets at each scrape (--share-targets); unset: no series. */
  heldTargets?: () => { target: string; held: boolean }[];
  readonly targetHeld = new Gauge({
    name: 'ballast_target_held',
    help: 'With --share-targets, one series per target of the revision: 1 while this replica holds its lease, else 0 (the default target is "(default)")',
    labelNames: ['target'],
    registers: [this.registry],
    collect: () => {
      this.targetHeld.reset();
      for (const t of this.heldTargets?.() ?? []) this.targetHeld.set({ target: t.target }, t.held ? 1 : 0);
    },
  });
  readonly resourceInfo = new Gauge({
    name: 'ballast_resource_info',
    help: 'One series (value 1) per resource in the manifests, with its target (none: the default target), its status at the last reconcile, mode and whether it is suspended',
    labelNames: ['kind', 'name', 'target', 'status', 'mode', 'suspended'],
    registers: [this.registry],
  });
  readonly driftDetected = new Counter({
    name: 'ballast_drift_detected_total',
    help: 'Drifted resources found, by kind: one per resource per reconcile that finds it drifted',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly corrections = new Counter({
    name: 'ballast_corrections_total',
    help: 'Drifted resources put back to their manifest, by kind',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly buildInfo = new Gauge({
    name: 'ballast_build_info',
    help: 'Ballast version and Node.js version of this process (value 1)',
    labelNames: ['version', 'node'],
    registers: [this.registry],
  });
  readonly webhookRequests = new Counter({
    name: 'ballast_webhook_requests_total',
    help: 'Requests to POST /webhook by HTTP status code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly slackMessages = new Counter({
    name: 'ballast_slack_messages_total',
    help: 'Slack messages by outcome: sent (Slack accepted it) or failed',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly drillLastRun = new Gauge({
    name: 'ballast_drill_last_run_timestamp_seconds',
    help: 'Unix time the last restore drill finished, by DB and RestoreDrill',
    labelNames: ['db', 'drill'],
    registers: [this.registry],
  });
  readonly drillSuccess = new Gauge({
    name: 'ballast_drill_success',
    help: 'Whether the last restore drill passed (1) or not (0: failed, over budget or error)',
    labelNames: ['db', 'drill'],
    registers: [this.registry],
  });
  readonly drillRto = new Gauge({
    name: 'ballast_drill_rto_seconds',
    help: 'Recovery time of the last restore drill: start until the copy was available (absent when it never was)',
    labelNames: ['db', 'drill'],
    registers: [this.registry],
  });
  readonly drillRpo = new Gauge({
    name: 'ballast_drill_rpo_seconds',
    help: 'Recovery point of the last restore drill: start minus the time of the restored data (absent when nothing was restorable)',
    labelNames: ['db', 'drill'],
    registers: [this.registry],
  });

  constructor(...counters: CallCounter[]) {
    for (const counter of counters) counter.onCall((c) => this.awsCalls.inc({ service: c.service, operation: c.operation, outcome: c.outcome }));
    collectDefaultMetrics({ register: this.registry });
    // Every labelled series exists from the start, so rate() and absent() work before the first event.
    for (const kind of RECONCILED_KINDS) {
      this.drifted.set({ kind }, 0);
      this.ownershipLost.set({ kind }, 0);
      this.driftDetected.inc({ kind }, 0);
      this.corrections.inc({ kind }, 0);
    }
    for (const result of ['success', 'failure', 'invalid', 'source_error']) this.reconciles.inc({ result }, 0);
    for (const code of WEBHOOK_CODES) this.webhookRequests.inc({ code }, 0);
    for (const outcome of ['sent', 'failed'] satisfies SlackOutcome[]) this.slackMessages.inc({ outcome }, 0);
    this.buildInfo.set({ version: BALLAST_VERSION, node: process.version }, 1);
  }

  setOwnershipLost(byKind: Partial<Record<Kind, number>>): void {
    for (const kind of RECONCILED_KINDS) this.ownershipLost.set({ kind }, byKind[kind] ?? 0);
  }

  /** Replaces the resource series with those of the last reconcile: a resource gone from Git leaves no series. */
  setResources(resources: ResourceInfo[]): void {
    this.resourceInfo.reset();
    for (const r of resources) this.resourceInfo.set({ kind: r.kind, name: r.name, ...(r.target !== undefined ? { target: r.target } : {}), status: r.status, mode: r.mode, suspended: String(r.suspended) }, 1);
  }

  /** Counts the drifted resources of one reconcile and those put back. */
  countDrift(kind: Kind, corrected: boolean): void {
    this.driftDetected.inc({ kind });
    if (corrected) this.corrections.inc({ kind });
  }

  setDrift(byKind: Partial<Record<Kind, number>>): void {
    for (const kind of RECONCILED_KINDS) this.drifted.set({ kind }, byKind[kind] ?? 0);
  }

  recordDrill(r: DrillResult): void {
    const labels = { db: r.db, drill: r.drill };
    this.drillLastRun.set(labels, Date.parse(r.finishedAt) / 1000);
    this.drillSuccess.set(labels, r.outcome === 'passed' ? 1 : 0);
    // An unmeasured value is removed rather than left showing the previous drill's.
    for (const [gauge, value] of [[this.drillRto, r.rtoSeconds], [this.drillRpo, r.rpoSeconds]] as const) {
      if (value === null) gauge.remove(labels);
      else gauge.set(labels, value);
    }
  }

  setRevision(sha: string): void {
    this.revision.reset();
    this.revision.set({ sha }, 1);
  }
}
