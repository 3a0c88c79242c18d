import type { Logger } from 'pino';
import type { RevisionLoader } from '../isolated-load/index.js';
import type { RevisionLimits } from '../load/limits.js';
import type { Manifest } from '../schema/index.js';
import type { ReconciledKind, Registry } from '../engine/registry.js';
import type { Session } from '../observe/context.js';
import type { TargetSessions } from '../targets/sessions.js';
import type { PlannedTargets } from '../targets/each.js';
import type { PlanOptions } from '../plan/index.js';
import type { NotificationPolicy } from '../report/notify.js';
import type { SlackNotifier } from '../report/slack.js';
import type { SourceRevision } from '../source/git.js';
import type { Verdict } from '../trust/signature.js';
import type { PlanCostReport } from '../cost/index.js';
import type { LeaderGate } from '../lease/index.js';
import type { TargetGate } from '../sharing/index.js';
import type { SeenStore } from '../seen/index.js';
import type { HistoryStore } from '../history/store.js';
import type { Suspensions } from '../suspend/index.js';
import type { Metrics } from './metrics.js';
import type { Trigger } from './triggers.js';

/** What the controller is configured with, and what it is given to work with (src/controller/run.ts builds both). */
export interface ControllerSettings extends PlanOptions {
  timeouts: Record<ReconciledKind, number>;
  healthPollMs: number;
  /** Backoff after a failed reconcile: doubles from base up to max, with jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Caps on a revision, checked before it is parsed. */
  revisionLimits: RevisionLimits;
}

export interface ControllerDeps {
  source: { sync(): Promise<SourceRevision> };
  /** Loads and validates each new revision in a worker thread with a heap limit (src/isolated-load). */
  loader: Pick<RevisionLoader, 'load'>;
  /** The controller's own session: the default target's, and the one that assumes the Targets' roles. */
  session: Session;
  /** One session per Target (src/targets); absent: made from `session` with the SDK's default settings. */
  sessions?: TargetSessions;
  registry: Registry;
  logger: Logger;
  metrics: Metrics;
  policy: NotificationPolicy;
  notifier: SlackNotifier;
  /** Set when only signed commits may be applied (--allowed-signers, --gpg-keyring). */
  verifier?: { verify(repo: string, sha: string): Promise<Verdict> };
  /** Prices a plan for the applied message (src/cost); absent: no figures. */
  costOf?: (planned: PlannedTargets, manifests: Manifest[]) => Promise<PlanCostReport>;
  /** Only the leader reconciles and posts; without election the one replica always leads. */
  leader: LeaderGate;
  /** With --share-targets: the targets this replica holds, the only ones it reconciles, applies and reports. */
  targets?: TargetGate;
  /** Where every write is recorded; without it, only the logs tell. */
  history?: HistoryStore;
  /** Keeps which resources were seen in place past a restart or a change of leader; absent: this process only. */
  seen?: SeenStore;
  /** Runtime suspensions (`ballast suspend`): kept in the lease table when there is one, else in memory. */
  suspensions: Suspensions;
}

export interface ReconcileSummary {
  /** Every reason folded into this run, in the order they first came. */
  triggers: Trigger[];
  /** Set when events narrowed the run to these resources (and what they depend on). */
  only?: string[];
  revision?: string;
  result: 'success' | 'failure' | 'invalid' | 'source_error';
  /** A retry with backoff is scheduled: some failure may pass by itself. */
  retry: boolean;
  at: string;
  durationMs: number;
  writes: number;
}
