import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import cron from 'node-cron';
import { openSession } from '../observe/context.js';
import { TargetSessions } from '../targets/sessions.js';
import { placements, targetManifestOf } from '../targets/placement.js';
import { sessionNameOf } from '../targets/credentials.js';
import { RECONCILERS } from '../reconcilers/index.js';
import { timeoutsFrom } from '../apply/index.js';
import { GitSource, redactUrl } from '../source/git.js';
import { NotificationPolicy } from '../report/notify.js';
import { SlackNotifier } from '../report/slack.js';
import { Controller } from './controller.js';
import type { ControllerConfig } from './config.js';
import { Metrics } from './metrics.js';
import { HistoryStore } from '../history/store.js';
import { createHttpServer } from './http.js';
import { cleanupLeftovers, drillNotification, DrillScheduler, executeDrill } from '../drill/index.js';
import type { DbInstance } from '../schema/index.js';
import { DRILL_POLL_SECONDS } from './config.js';
import { CommitVerifier } from '../trust/signature.js';
import { costOfTargets } from '../targets/cost.js';
import { CommitStatusReporter, githubRepository } from '../github/status.js';
import { followController } from '../github/follow.js';
import { pruneRefusal } from '../plan/prune-guard.js';
import { CallCounter } from '../aws/counter.js';
import { DEFAULT_ISOLATION, processLoader } from '../isolated-load/index.js';
import { DynamoSeenStore } from '../seen/index.js';
import { DynamoSuspendStore, MemorySuspendStore, Suspensions } from '../suspend/index.js';
import { createElector, leaseTableClient, soleIdentity, type LeaderElector, type LeaderGate } from '../lease/index.js';
import { EventConsumer, consumerSqsClient } from '../events/index.js';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createShares } from '../sharing/index.js';

export interface RunningController {
  controller: Controller;
  metrics: Metrics;
  drills: DrillScheduler;
  leader: LeaderGate;
  /** http://host:port the server listens on. */
  url: string;
  logger: Logger;
  stop(): Promise<void>;
  /** What is still running (a reconcile, a drill), for the log of a shutdown that could not wait for it. */
  inFlight(): string[];
}

/** The controller's logger: pino JSON lines at the configured level, the two secret settings hidden wherever logged. */
export function controllerLogger(config: Pick<ControllerConfig, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = { level: config.logLevel, redact: ['webhookSecret', 'slackWebhookUrl', 'githubToken', 'apiToken', 'gitToken', '*.webhookSecret', '*.slackWebhookUrl', '*.githubToken', '*.apiToken', '*.gitToken'] };
  return destination ? pino(options, destination) : pino(options);
}

/** Starts the loop, the poll timer, the drift-scan schedule and the HTTP server; the first reconcile starts at once. */
export async function startController(config: ControllerConfig, logger: Logger = controllerLogger(config)): Promise<RunningController> {
  if (!cron.validate(config.driftSchedule)) throw new Error(`drift schedule "${config.driftSchedule}" is not a valid cron expression`);
  const leaseCalls = new CallCounter({ keep: false });
  const eventCalls = new CallCounter({ keep: false });
  const elector: LeaderElector | undefined = config.leaseTable ? createElector({ ...config, leaseTable: config.leaseTable }, leaseCalls, logger) : undefined;
  const leader: LeaderGate = elector ?? soleIdentity();
  // A replica that lost its lease sends nothing more to the estate, not even a call it had started before a pause.
  const gate = elector ? { sendGate: () => elector.leading } : {};
  const session = openSession({ ...config, ...gate });
  const sessions = new TargetSessions(session, { ...config, ...gate });
  if (config.shareTargets && !elector) throw new Error('--share-targets needs a lease table: pass --lease-table or set BALLAST_LEASE_TABLE');
  // Every replica would set the one commit status from its own share of the targets, the last one winning.
  if (config.shareTargets && config.githubToken) throw new Error('--share-targets does not post GitHub commit statuses yet: leave BALLAST_GITHUB_TOKEN unset');
  const shares = elector && config.shareTargets ? createShares({ ...config, leaseTable: config.leaseTable! }, elector.identity, leaseCalls, logger) : undefined;
  // Shared out, each target's clients send only while this replica holds that target's lease; drills keep the leader's.
  const reconciling = shares ? new TargetSessions(session, { ...config, gateOf: (target) => shares.gate(target) }) : sessions;
  const aws = session.aws;
  const metrics = new Metrics(aws.counter, leaseCalls, eventCalls);
  // The lease table also keeps which resources were seen in place, so a restart still tells "deleted by hand".
  const table = config.leaseTable ? { client: leaseTableClient(config, leaseCalls), name: config.leaseTable } : undefined;
  // One item for the whole estate: replicas that share the targets would write over each other's, so they keep none.
  const seen = table && !shares ? new DynamoSeenStore(table.client, table.name, config.controllerId) : undefined;
  // Suspensions sit next to the lease so a new leader honours them; without a table they live as long as the process.
  const suspensions = new Suspensions(
    table ? new DynamoSuspendStore(table.client, table.name, config.controllerId) : new MemorySuspendStore(),
  );
  const workdir = config.workdir ?? path.join(tmpdir(), `ballast-${config.controllerId}`);
  const notifier = new SlackNotifier(config.slackWebhookUrl, logger, (outcome) => metrics.slackMessages.inc({ outcome }));
  const verifier = CommitVerifier.from(config);
  await verifier?.check();
  // Its modules load while the first clone is fetched.
  const loader = processLoader({ ...DEFAULT_ISOLATION, memoryMb: config.loadMemory });
  loader.warm();
  const controller = new Controller(
    {
      defaultMode: config.mode,
      prune: config.prune,
      pruneRefusal: pruneRefusal(config),
      timeouts: timeoutsFrom(config),
      healthPollMs: config.healthPollInterval * 1000,
      backoffBaseMs: 5_000,
      backoffMaxMs: 5 * 60_000,
      revisionLimits: { maxRevisionBytes: config.maxRevisionBytes, maxDocuments: config.maxDocuments, maxYamlNodes: config.maxYamlNodes },
    },
    {
      loader,
      source: new GitSource({ url: config.repoUrl, branch: config.branch, path: config.path, workdir, token: config.gitToken }),
      session,
      sessions: reconciling,
      targets: shares,
      registry: RECONCILERS,
      logger,
      metrics,
      policy: new NotificationPolicy({ quietPeriodMs: config.quietPeriod * 1000, transientAfter: config.reportFailuresAfter }),
      notifier,
      verifier,
      costOf: async (planned, manifests) => costOfTargets(planned, manifests, await aws.region(), config.prices),
      leader,
      ...(config.historyTable
        ? { history: new HistoryStore({ table: config.historyTable, controllerId: config.controllerId, retentionDays: config.historyRetentionDays, awsTimeout: config.awsTimeout }) }
        : {}),
      seen,
      suspensions,
    },
  );
  if (config.githubToken) {
    const repository = config.githubRepository ?? githubRepository(config.repoUrl);
    if (!repository) throw new Error('a GitHub token is set but no repository: pass --github-repository owner/name (the repository URL is not a github.com one)');
    const targetUrl = config.publicUrl ? `${config.publicUrl.replace(/\/$/, '')}/status` : undefined;
    followController(controller, new CommitStatusReporter({ token: config.githubToken, repository, apiUrl: config.githubApiUrl, targetUrl, context: `ballast/${config.controllerId}` }, logger));
  }
  const drillsAbort = new AbortController();
  const drills = new DrillScheduler(async (drill) => {
    const source = controller.revision?.manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === drill.spec.dbInstance);
    // Validation guarantees a drill's DbInstance is in the same revision.
    // A drill runs in its DB's target (validation keeps them in one).
    const result = await executeDrill(drill, source!, {
      aws: sessions.for(targetManifestOf(controller.revision?.manifests ?? [], drill)).aws,
      controllerId: config.controllerId,
      runner: 'controller',
      pollIntervalMs: DRILL_POLL_SECONDS * 1000,
      signal: drillsAbort.signal,
      log: (message) => logger.info({ drill: drill.metadata.name }, message),
    });
    metrics.recordDrill(result);
    logger.info({ drill: result.drill, db: result.db, outcome: result.outcome, rtoSeconds: result.rtoSeconds, rpoSeconds: result.rpoSeconds }, 'restore drill finished');
    if (leader.leading) await notifier.send(drillNotification(result));
    return result;
  });
  controller.on('revision', (manifests) => drills.update(manifests));
  const events = config.eventsQueue
    ? new EventConsumer({
        queueUrl: config.eventsQueue,
        sqs: consumerSqsClient(config.awsTimeout, eventCalls),
        self: () =>
          aws.sts.send(new GetCallerIdentityCommand({})).then(
            (id) => id.Arn,
            (err: unknown) => void logger.warn({ err: (err as Error).message }, 'cannot tell who the controller is: its own writes come back as events too'),
          ),
        region: () => aws.region().catch(() => undefined),
        sessionName: sessionNameOf(config.controllerId),
        manifests: () => controller.revision?.manifests,
        onResources: (keys) => controller.trigger('event', keys),
        coalesceMs: config.eventsCoalesce * 1000,
        logger,
        count: (outcome) => metrics.events.inc({ outcome }),
      })
    : undefined;
  // Whatever a replica does to AWS it does as leader: clean up after crashed drills, run drills, reconcile.
  const lead = async () => {
    metrics.leader.set(1);
    // A drill copy left by a crash costs money until someone deletes it; a CLI drill may still be using its own.
    await cleanupLeftovers(aws, config.controllerId, { crashed: 'controller' })
      .then((leftovers) => leftovers.deleted.length > 0 && logger.info({ deleted: leftovers.deleted }, 'deleted drill instances left by a crash'))
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'could not look for drill leftovers; the next drill tries again'));
    // Stood down during the clean-up: the next `leading` starts all of this again.
    if (!leader.elected) return;
    drills.start();
    controller.trigger('startup');
    events?.start();
  };
  const server = createHttpServer({ controller, metrics, drills, leader, targets: shares, logger, suspensions, webhookSecret: config.webhookSecret, apiToken: config.apiToken, branch: config.branch });
  const url = await server.listen({ port: config.port, host: config.host });
  const poll = setInterval(() => controller.trigger('poll'), config.pollInterval * 1000);
  const scan = cron.schedule(config.driftSchedule, () => controller.trigger('drift-scan'));
  logger.info(
    {
      url,
      repo: redactUrl(config.repoUrl),
      branch: config.branch,
      path: config.path,
      controllerId: config.controllerId,
      identity: leader.identity,
      leaseTable: config.leaseTable,
      eventsQueue: config.eventsQueue,
      driftSchedule: config.driftSchedule,
      signedBy: verifier?.describe() ?? 'anyone (signatures not checked)',
    },
    'controller started',
  );
  if (elector) {
    metrics.leader.set(0);
    elector.on('leading', () => void lead());
    // After each lease check: a trigger that waited for a late renewal runs once it landed.
    elector.on('checked', () => controller.wake());
    elector.on('standby', () => {
      metrics.leader.set(0);
      void drills.stop();
      void events?.stop();
    });
    await elector.start();
  } else {
    await lead();
  }
  if (shares) {
    // Every replica follows the revision for its targets; one that gains a target reconciles it at once.
    metrics.heldTargets = () => shares.status();
    controller.on('revision', (manifests) => shares.setTargets(placements(manifests).map((p) => p.name)));
    shares.on('gained', () => controller.trigger('takeover'));
    shares.start();
    controller.trigger('startup');
  }
  return {
    controller,
    metrics,
    drills,
    leader,
    url,
    logger,
    inFlight: () => [
      ...(controller.busy ? ['a reconcile (its AWS call in flight is left to finish or fail on its own)'] : []),
      ...drills.status().filter((d) => d.state === 'running').map((d) => `restore drill ${d.drill} (its copy is deleted by the next leader's clean-up)`),
    ],
    async stop() {
      clearInterval(poll);
      await scan.stop();
      drillsAbort.abort();
      await Promise.all([controller.stop(), drills.stop(), events?.stop()]);
      await shares?.stop();
      await elector?.stop();
      await server.close();
      await verifier?.close();
      logger.info('controller stopped');
    },
  };
}
