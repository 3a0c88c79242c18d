/**
 * `npm run bench` without `--estate`: the speed and memory figures Ballast promises, measured against the local emulator, each checked
 * against its target. Exits 1 when a target is missed. Runs on the same 2-core machine kind as CI.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createAws } from '../src/aws/clients.js';
import { createSession } from '../src/observe/context.js';
import { observeAndPlan } from '../src/engine/pipeline.js';
import { applyPlan, DEFAULT_TIMEOUTS } from '../src/apply/index.js';
import { RECONCILERS } from '../src/reconcilers/index.js';
import { loadRevision } from '../src/validate/index.js';
import { startEmulator } from '../src/demo/emulator.js';
import { createNetwork } from '../src/demo/network.js';
import { startController } from '../src/controller/run.js';
import { CONTROLLER_DEFAULTS } from '../src/controller/config.js';
import { signBody } from '../src/source/webhook.js';
import { writeBigEstate } from '../test/support/big-estate.js';
import { createRepo, removeRepo } from '../test/support/git.js';
import { buildDist } from '../scripts/build.js';

interface Row {
  what: string;
  value: number;
  unit: string;
  target: number;
}
const rows: Row[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const settings = { defaultMode: 'enforce' as const, prune: false };

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });

// 1. Validation of desired-state/, in process and as a cold CLI start.
const inProcess: number[] = [];
for (let i = 0; i < 5; i++) inProcess.push(await time(() => loadRevision('desired-state')));
rows.push({ what: 'validate desired-state/ (in process, median of 5)', value: median(inProcess), unit: 'ms', target: 200 });
await buildDist();
const cold: number[] = [];
for (let i = 0; i < 5; i++) cold.push(await time(async () => execFileSync(process.execPath, ['bin/ballast.js', 'validate'], { stdio: 'ignore' })));
rows.push({ what: '`ballast validate` cold start (median of 5)', value: median(cold), unit: 'ms', target: 1000 });

const emulator = await startEmulator();
process.env.AWS_ENDPOINT_URL = emulator.endpoint;
try {
  // 2. The shop estate: apply from empty, then the no-op rerun.
  let aws = createAws({ endpoint: emulator.endpoint });
  await createNetwork(aws);
  const shop = await loadRevision('desired-state');
  let session = createSession(aws, { controllerId: 'ballast' });
  const applyMs = await time(async () => {
    const { plan, observed } = await observeAndPlan(shop.manifests, session, RECONCILERS, settings);
    await applyPlan(plan, shop.manifests, observed.ctx, RECONCILERS, { timeouts: DEFAULT_TIMEOUTS, pollIntervalMs: 50 });
  });
  rows.push({ what: 'apply desired-state/ on an empty account', value: applyMs, unit: 'ms', target: 10_000 });
  rows.push({ what: '  AWS calls made by that apply', value: aws.counter.calls.length, unit: 'calls', target: 150 });
  aws.counter.reset();
  session = createSession(aws, { controllerId: 'ballast' });
  const noopMs = await time(() => observeAndPlan(shop.manifests, session, RECONCILERS, settings));
  rows.push({ what: 'no-op rerun (observe + plan, 0 writes)', value: noopMs, unit: 'ms', target: 3_000 });
  rows.push({ what: '  reads of the no-op rerun', value: aws.counter.reads().length, unit: 'calls', target: 30 });
  rows.push({ what: '  writes of the no-op rerun', value: aws.counter.writes().length, unit: 'calls', target: 0 });

  // 3. 25 services, 50 policies, 3 DBs, 120 alarms: one plan.
  await emulator.reset();
  aws = createAws({ endpoint: emulator.endpoint });
  await createNetwork(aws);
  const big = await loadRevision(await writeBigEstate());
  session = createSession(aws, { controllerId: 'ballast' });
  const created = await observeAndPlan(big.manifests, session, RECONCILERS, settings);
  await applyPlan(created.plan, big.manifests, created.observed.ctx, RECONCILERS, { timeouts: DEFAULT_TIMEOUTS, pollIntervalMs: 50 });
  aws.counter.reset();
  session = createSession(aws, { controllerId: 'ballast' });
  const bigMs = await time(() => observeAndPlan(big.manifests, session, RECONCILERS, settings));
  rows.push({ what: 'plan of 25 services / 50 policies / 3 DBs / 120 alarms', value: bigMs, unit: 'ms', target: 5_000 });
  rows.push({ what: '  reads of that plan', value: aws.counter.calls.length, unit: 'calls', target: 46 });
  aws.counter.reset();
  const againMs = await time(() => observeAndPlan(big.manifests, session, RECONCILERS, settings));
  rows.push({ what: '  the same plan again in the process', value: againMs, unit: 'ms', target: 3_000 });
  rows.push({ what: '  reads of the second plan (task definitions cached)', value: aws.counter.calls.length, unit: 'calls', target: 21 });
  rows.push({ what: 'resident memory after those plans', value: process.memoryUsage().rss / 2 ** 20, unit: 'MiB', target: 300 });

  // 4. Webhook to reconcile start, through the real HTTP server.
  await emulator.reset();
  await createNetwork(createAws({ endpoint: emulator.endpoint }));
  const repo = await createRepo();
  const running = await startController(
    {
      ...CONTROLLER_DEFAULTS,
      repoUrl: repo.url,
      workdir: await mkdtemp(path.join(tmpdir(), 'ballast-bench-')),
      pollInterval: 3600,
      driftSchedule: '0 0 1 1 *',
      webhookSecret: 'bench',
      port: 0,
      host: '127.0.0.1',
      healthPollInterval: 0.05,
      logLevel: 'silent',
    },
    pino({ level: 'silent' }),
  );
  await new Promise((resolve) => running.controller.once('reconciled', resolve));
  const latencies: number[] = [];
  for (let i = 0; i < 7; i++) {
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40) });
    const started = new Promise<number>((resolve) => running.controller.once('started', () => resolve(performance.now())));
    const done = new Promise((resolve) => running.controller.once('reconciled', resolve));
    const sent = performance.now();
    await fetch(`${running.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody('bench', body) }, body });
    latencies.push((await started) - sent);
    await done;
  }
  rows.push({ what: 'webhook received -> reconcile started (median of 7)', value: median(latencies), unit: 'ms', target: 100 });
  await running.stop();
  await removeRepo(repo);
} finally {
  await emulator.stop();
}

let missed = 0;
console.log(`${'measure'.padEnd(58)} ${'value'.padStart(10)}  target`);
for (const r of rows) {
  const ok = r.value <= r.target;
  if (!ok) missed += 1;
  console.log(`${r.what.padEnd(58)} ${r.value.toFixed(r.unit === 'calls' ? 0 : 1).padStart(10)} ${r.unit.padEnd(5)} ≤ ${r.target}${ok ? '' : '  MISSED'}`);
}
process.exit(missed === 0 ? 0 : 1);
