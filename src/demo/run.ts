import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createRepo } from './repo.js';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeScalingPoliciesCommand, PutScalingPolicyCommand } from '@aws-sdk/client-application-auto-scaling';
import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { createAws, type Aws } from '../aws/clients.js';
import { startController, type RunningController } from '../controller/run.js';
import { CONTROLLER_DEFAULTS } from '../controller/config.js';
import type { Controller, ReconcileSummary } from '../controller/controller.js';
import { signBody } from '../source/webhook.js';
import { formatProblem } from '../problem.js';
import { renderDrill } from '../drill/index.js';
import { findMotoPython, startEmulator, type Emulator } from './emulator.js';
import { createNetwork } from './network.js';
import { SlackStandIn } from './slack-standin.js';
import { editManifest, setField } from './edit.js';

/** How long the demo waits for any one reconcile: each takes a second or two. */
const NEXT_TIMEOUT_MS = 60_000;

/** Credentials that can only ever reach the local emulator. */
const EMULATOR_ENV = {
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_REGION: 'us-east-1',
  // The SDK's notice about Node 22 would open the demo with a wall of text.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The next reconcile that matches; a demo that waited a minute for one fails, saying for what, rather than hang. */
function next(controller: Controller, what: string, match: (s: ReconcileSummary) => boolean): Promise<ReconcileSummary> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      controller.off('reconciled', listener);
      reject(new Error(`no ${what} within ${NEXT_TIMEOUT_MS / 1000} s`));
    }, NEXT_TIMEOUT_MS);
    // A demo that failed elsewhere meanwhile exits without waiting for it.
    timer.unref();
    const listener = (s: ReconcileSummary) => {
      if (!match(s)) return;
      controller.off('reconciled', listener);
      clearTimeout(timer);
      resolve(s);
    };
    controller.on('reconciled', listener);
  });
}

/**
 * The narrated demo: the whole shop estate on a local AWS emulator, managed by `ballast run` from a local Git
 * repository, with a Slack stand-in printing what the team would see. Cleans up everything it started.
 */
export async function runDemo(say: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const started = Date.now();
  const step = (n: number, title: string) => say(`\n━━ ${n}. ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`);
  const cleanups: (() => Promise<unknown>)[] = [];
  // What the demo sets in the environment it gives back afterwards, so a caller in the same process keeps its own.
  const saved = Object.fromEntries(['AWS_ENDPOINT_URL', ...Object.keys(EMULATOR_ENV)].map((k) => [k, process.env[k]]));
  Object.assign(process.env, EMULATOR_ENV);
  try {
    step(0, 'Setting up a local AWS, a Git repository and Slack');
    const python = findMotoPython({ install: true, say });
    const emulator: Emulator = await startEmulator({ python });
    cleanups.push(() => emulator.stop());
    process.env.AWS_ENDPOINT_URL = emulator.endpoint;
    const aws: Aws = createAws({ endpoint: emulator.endpoint, region: EMULATOR_ENV.AWS_REGION });
    await createNetwork(aws);
    say(`  AWS emulator (moto) on ${emulator.endpoint}: VPC, subnets in 3 AZs, security groups, NLB shop-nlb, topic shop-alerts`);

    const root = await mkdtemp(path.join(tmpdir(), 'ballast-demo-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const repo = await createRepo(root);
    const { git, work } = repo;
    const commit = async (message: string) => (await repo.push(message)).slice(0, 8);
    say(`  Git repository seeded from desired-state/: ${(await git.revparse(['HEAD'])).trim().slice(0, 8)}`);

    const slack = new SlackStandIn(say);
    cleanups.push(() => slack.stop());
    const secret = randomBytes(16).toString('hex');
    const logs: string[] = [];
    const running: RunningController = await startController(
      {
        ...CONTROLLER_DEFAULTS,
        repoUrl: repo.url,
        workdir: path.join(root, 'clone'),
        pollInterval: 3600,
        driftSchedule: '*/3 * * * * *',
        webhookSecret: secret,
        slackWebhookUrl: await slack.start(),
        port: 0,
        host: '127.0.0.1',
        healthPollInterval: 0.2,
      },
      pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) })),
    );
    cleanups.unshift(() => running.stop());
    const { controller } = running;
    say(`  ballast run is up on ${running.url} (drift scan every 3 s, webhook secret set, Slack stand-in below)`);

    step(1, 'First reconcile: Ballast creates the estate from Git');
    const first = await new Promise<ReconcileSummary>((resolve) => {
      if (controller.lastReconcile) resolve(controller.lastReconcile);
      else controller.once('reconciled', resolve);
    });
    // Created ones roll out after the run (status `progressing`): what was applied is what this first run created.
    const created = [...controller.resources.values()].filter((r) => r.lastAppliedAt !== undefined);
    say(`  ${first.result}: created ${created.length} resources with ${first.writes} write calls in ${(first.durationMs / 1000).toFixed(1)} s`);
    for (const kind of ['EcsService', 'ServiceAutoscaling', 'DbInstance', 'Alarm', 'Dashboard']) {
      const names = created.filter((r) => r.key.startsWith(`${kind}/`)).map((r) => r.key.slice(kind.length + 1));
      say(`    ${kind.padEnd(19)} ${names.join(', ')}`);
    }
    say(`  /readyz: ${(await fetch(`${running.url}/readyz`)).status}`);

    step(2, 'A drift scan of a converged estate changes nothing');
    const quiet = await next(controller, 'drift scan of the settled estate', (s) => s.triggers.includes('drift-scan') && !controller.progressing);
    say(`  drift scan: ${quiet.result}, ${quiet.writes} write calls`);

    step(3, 'Someone changes things by hand in the console');
    const alarm = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }))).MetricAlarms![0]!;
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...alarm, Threshold: 99 } as never));
    say('  alarm storefront-cpu-high threshold 85 -> 99');
    const policies = await aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', PolicyNames: ['checkout-cpu'] }));
    const policy = policies.ScalingPolicies!.find((p) => p.PolicyName === 'checkout-cpu')!;
    await aws.autoscaling.send(
      new PutScalingPolicyCommand({
        PolicyName: policy.PolicyName!,
        ServiceNamespace: 'ecs',
        ResourceId: policy.ResourceId!,
        ScalableDimension: policy.ScalableDimension!,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { ...policy.TargetTrackingScalingPolicyConfiguration!, TargetValue: 90 },
      }),
    );
    say('  scaling policy checkout-cpu target 60% -> 90%');
    await aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'shop-db', BackupRetentionPeriod: 1, ApplyImmediately: true }));
    say('  shop-db backup retention 14 days -> 1 day');
    const reverted = await next(controller, 'drift scan reverting the hand changes', (s) => s.triggers.includes('drift-scan') && s.writes > 0);
    say(`  the next drift scan found it and put it back with ${reverted.writes} write calls:`);
    const after = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }))).MetricAlarms![0]!;
    say(`  alarm storefront-cpu-high threshold is ${after.Threshold} again`);

    step(4, 'A commit resizes storefront; the signed webhook applies it at once');
    const desired = path.join(work, 'desired-state');
    await editManifest(desired, 'EcsService/storefront', setField(['spec', 'cpu'], 1024));
    await editManifest(desired, 'EcsService/storefront', setField(['spec', 'memory'], 2048));
    say(`  pushed ${await commit('storefront: 1 vCPU / 2 GiB for the sale')}: storefront cpu 512 -> 1024, memory 1024 -> 2048`);
    const pushed = (await git.revparse(['HEAD'])).trim();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: pushed });
    // The 3 s drift scan fetches Git too and may take the commit first: wait for the run that applied it, whichever.
    const resized = next(controller, 'reconcile applying the resize', (s) => s.revision === pushed && s.writes > 0);
    const pushedAt = Date.now();
    const response = await fetch(`${running.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signBody(secret, body) },
      body,
    });
    const unsigned = await fetch(`${running.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const done = await resized;
    say(`  webhook: ${response.status} (an unsigned copy got ${unsigned.status}); applied in ${((Date.now() - pushedAt) / 1000).toFixed(1)} s, ${done.writes} write calls`);

    step(5, 'An invalid commit is rejected; the last good revision stays in force');
    const good = controller.revision?.sha.slice(0, 8);
    await editManifest(desired, 'EcsService/storefront', setField(['spec', 'memory'], 3000));
    say(`  pushed ${await commit('storefront: more memory')}: memory 3000 is not a Fargate size for 1 vCPU`);
    // As above, the drift scan may take the commit first; the webhook's own run of step 4 may still end after this
    // push, so the wait is for the rejection, whichever run makes it.
    const rejected = next(controller, 'reconcile rejecting the invalid commit', (s) => s.result === 'invalid');
    const badBody = JSON.stringify({ ref: 'refs/heads/main', after: (await git.revparse(['HEAD'])).trim() });
    await fetch(`${running.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(secret, badBody) },
      body: badBody,
    });
    const summary = await rejected;
    for (const p of controller.badRevision?.problems ?? []) say(`  ${formatProblem(p)}`);
    say(`  revision in force: ${controller.revision?.sha.slice(0, 8)} (was ${good}); ${summary.writes} write calls`);

    step(6, 'The weekly restore drill of shop-db, run now');
    const drill = await running.drills.trigger('shop-db-drill');
    if (drill) for (const line of renderDrill(drill).trimEnd().split('\n')) say(`  ${line}`);

    step(7, 'Done');
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    const reconciles = metrics.split('\n').filter((l) => l.startsWith('ballast_reconciles_total'));
    say(`  ${reconciles.join('  ')}`);
    say(`  ${slack.count} Slack messages; demo took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    say(`\ndemo failed: ${(err as Error).message}`);
    return 1;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
