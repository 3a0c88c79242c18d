/**
 * `npm run bench -- --estate bench`: the bench estate (1,000 services in 10 clusters, 1,000 scalable targets, 2,000
 * policies, 100 DBs, 2,000 alarms, 10 dashboards) in the emulator. Each phase runs in a process of its own (its CPU
 * time and peak RSS are its own): apply from empty, no-op plans cold and warm from the CLI (two runs sharing the
 * task-definition cache) and the controller (two plans in one process), validate of 10,000 manifests beside the
 * `yaml` package alone, and the controller's check of a one-file commit to those manifests. Prints a table, then
 * the figures as one JSON document; exits 1 when a target is missed. `--only apply,validate` runs only the parts named
 * (apply, noop: the no-op plans after an apply, validate, recheck), for measuring one change without the whole run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { createAws } from '../../src/aws/clients.js';
import { startEmulator } from '../../src/demo/emulator.js';
import { createNetwork } from '../../src/demo/network.js';
import { BENCH_ESTATE, VALIDATE_ESTATE, batchMinimum, clusterName, healthMinimum, lookupMinimum, writeEstate } from './generate.js';

const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);
const RUSAGE = path.join(here, 'rusage.mjs');
type Counts = Record<string, number>;
interface Usage {
  cpuMs: number;
  wallMs: number;
  maxRssMiB: number;
}

const PARTS = ['apply', 'noop', 'validate', 'recheck'] as const;
const only = process.argv.includes('--only') ? (process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',') : [...PARTS];
const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
if (unknown.length > 0) throw new Error(`unknown part ${unknown.join(', ')} (known: ${PARTS.join(', ')})`);
const runs = (part: (typeof PARTS)[number]) => only.includes(part);

const scratch = await mkdtemp(path.join(tmpdir(), 'ballast-bench-'));
Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
const env: NodeJS.ProcessEnv = { ...process.env };

/** Runs node with args, measured by the rusage preload; returns stdout and the child's usage. */
async function measured(args: string[], extraEnv: Record<string, string> = {}, okCodes = [0]) {
  const file = path.join(scratch, `rusage-${Math.random().toString(36).slice(2)}.json`);
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, ['--import', RUSAGE, ...args], { env: { ...env, ...extraEnv, BENCH_RUSAGE_FILE: file }, maxBuffer: 1 << 28 }));
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (!okCodes.includes(e.code ?? -1)) throw new Error(`${args.join(' ')} exited ${e.code}: ${e.stderr?.slice(-2000)}`);
    stdout = e.stdout ?? '';
  }
  return { stdout, usage: JSON.parse(await readFile(file, 'utf8')) as Usage };
}

/** `service:Operation:outcome` counts from the CLI's JSON into reads by `service:Operation`. */
function readsOf(calls: Counts): { reads: Counts; writes: number } {
  const reads: Counts = {};
  let writes = 0;
  for (const [key, n] of Object.entries(calls)) {
    const [service, operation] = key.split(':') as [string, string];
    if (/^(Describe|List|Get)/.test(operation)) reads[`${service}:${operation}`] = (reads[`${service}:${operation}`] ?? 0) + n;
    else writes += n;
  }
  return { reads, writes };
}

const sum = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);
/** Per operation of the minimum: made / minimum; and every operation made that the minimum lacks. */
function ratios(made: Counts, minimum: Counts): Record<string, { made: number; minimum: number; ratio: number }> {
  const out: Record<string, { made: number; minimum: number; ratio: number }> = {};
  for (const op of new Set([...Object.keys(minimum), ...Object.keys(made)])) {
    const m = minimum[op] ?? 0;
    out[op] = { made: made[op] ?? 0, minimum: m, ratio: m === 0 ? Infinity : (made[op] ?? 0) / m };
  }
  return out;
}

interface Row {
  what: string;
  value: number;
  unit: string;
  target?: number;
}
const rows: Row[] = [];
const report: Record<string, unknown> = { estate: BENCH_ESTATE };

process.stderr.write('writing the estates...\n');
const estateDir = await writeEstate(BENCH_ESTATE);
const validateDir = await writeEstate(VALIDATE_ESTATE);
// The no-op plans read the estate the apply made.
if (runs('apply') || runs('noop')) await applyAndPlan();
async function applyAndPlan() {
  const emulator = await startEmulator();
  env.AWS_ENDPOINT_URL = emulator.endpoint;
  try {
    const aws = createAws({ endpoint: emulator.endpoint, region: 'us-east-1' });
    await createNetwork(aws);
    for (let c = 0; c < BENCH_ESTATE.clusters; c++) {
      await aws.ecs.send(new CreateClusterCommand({ clusterName: clusterName(c), tags: [{ key: 'team', value: 'bench' }] }));
    }
    const phase = (name: string) => measured(['--import', 'tsx', path.join(here, 'phase.ts'), name, estateDir]);
    const cli = (cacheDir: string) => measured(['bin/ballast.js', 'plan', estateDir, '-o', 'json'], { BALLAST_CACHE_DIR: cacheDir }, [0, 2]);

    // Apply from empty.
    process.stderr.write('apply from empty...\n');
    const applied = await phase('apply');
    const a = JSON.parse(applied.stdout) as { apply: { wallMs: number; cpuMs: number; writes: Counts; failed: number }; health: Counts; failedActions: number; unhealthy: number; maxRssMiB: number };
    const health = ratios(a.health, healthMinimum(BENCH_ESTATE));
    report.apply = { ...a, healthRatios: health };
    rows.push({ what: 'apply from empty: wall', value: a.apply.wallMs, unit: 'ms' });
    rows.push({ what: 'apply from empty: CPU', value: a.apply.cpuMs, unit: 'ms' });
    rows.push({ what: '  write calls', value: sum(a.apply.writes), unit: 'calls' });
    rows.push({ what: '  actions failed or unhealthy', value: a.failedActions + a.unhealthy, unit: 'count', target: 0 });
    for (const [op, r] of Object.entries(health)) rows.push({ what: `  health ${op} ${r.made}/${r.minimum}`, value: r.ratio, unit: 'x' });
    rows.push({ what: '  health reads / batch minimum', value: sum(a.health) / sum(healthMinimum(BENCH_ESTATE)), unit: 'x', target: 1.2 });
    rows.push({ what: '  peak RSS', value: a.maxRssMiB, unit: 'MiB', target: 400 });
    if (!runs('noop')) return;

    // No-op plans: the CLI twice with one cache folder, then the controller's two plans in one process.
    const cold = batchMinimum(BENCH_ESTATE, true);
    const warm = batchMinimum(BENCH_ESTATE, false);
    const lookups = lookupMinimum(BENCH_ESTATE);
    const cacheDir = await mkdtemp(path.join(scratch, 'cache-'));
    const noop = (what: string, reads: Counts, writes: number, usage: { cpuMs: number; wallMs: number; maxRssMiB?: number }, minimum: Counts) => {
      const compass = ratios(reads, minimum);
      const allowed = Math.floor(1.03 * sum(minimum) + sum(lookups));
      report[what] = { reads, writes, usage, ratios: compass, allowed };
      rows.push({ what: `${what}: wall`, value: usage.wallMs, unit: 'ms' });
      rows.push({ what: `${what}: CPU`, value: usage.cpuMs, unit: 'ms' });
      if (usage.maxRssMiB !== undefined) rows.push({ what: '  peak RSS', value: usage.maxRssMiB, unit: 'MiB' });
      for (const [op, r] of Object.entries(compass)) if (!(op in lookups)) rows.push({ what: `  ${op} ${r.made}/${r.minimum}`, value: r.ratio, unit: 'x' });
      rows.push({ what: `  reads (minimum ${sum(minimum)} + lookups ${sum(lookups)})`, value: sum(reads), unit: 'calls', target: allowed });
      rows.push({ what: '  writes', value: writes, unit: 'calls', target: 0 });
    };
    for (const [what, minimum] of [['CLI plan, first run', cold], ['CLI plan, second run', warm]] as const) {
      process.stderr.write(`${what}...\n`);
      const r = await cli(cacheDir);
      const { reads, writes } = readsOf((JSON.parse(r.stdout) as { calls: Counts }).calls);
      noop(what, reads, writes, r.usage, minimum);
    }
    process.stderr.write('controller plans...\n');
    const ctl = JSON.parse((await phase('controller')).stdout) as Record<'cold' | 'warm', { wallMs: number; cpuMs: number; reads: Counts; writes: Counts }> & { maxRssMiB: number };
    noop('controller plan, cold', ctl.cold.reads, sum(ctl.cold.writes), ctl.cold, cold);
    noop('controller plan, warm', ctl.warm.reads, sum(ctl.warm.writes), { ...ctl.warm, maxRssMiB: ctl.maxRssMiB }, warm);
  } finally {
    await emulator.stop();
  }
}

// Validate of 10,000 manifests, beside the parsers alone on the same files.
if (runs('validate')) {
  process.stderr.write('validate of 10,000 manifests...\n');
  const parsers: Record<string, Usage> = {};
  for (const parser of ['yaml', 'js-yaml']) parsers[parser] = (await measured([path.join(here, 'yaml-loop.mjs'), parser, validateDir])).usage;
  const validated = await measured(['bin/ballast.js', 'validate', validateDir, '-o', 'json']);
  const manifests = (JSON.parse(validated.stdout) as { manifests: number }).manifests;
  report.validate = { manifests, ballast: validated.usage, parsers };
  rows.push({ what: `validate ${manifests} manifests: wall`, value: validated.usage.wallMs, unit: 'ms' });
  rows.push({ what: '  CPU', value: validated.usage.cpuMs, unit: 'ms', target: 2000 });
  for (const [parser, u] of Object.entries(parsers)) rows.push({ what: `  CPU of ${parser} alone (read + parse, plain loop)`, value: u.cpuMs, unit: 'ms' });
  rows.push({ what: '  CPU / CPU of yaml alone', value: validated.usage.cpuMs / parsers.yaml!.cpuMs, unit: 'x', target: 1.5 });
  rows.push({ what: '  peak RSS', value: validated.usage.maxRssMiB, unit: 'MiB', target: 300 });
}
if (runs('recheck')) {
  process.stderr.write('controller: a one-file commit to 10,000 manifests...\n');
  type Load = { wallMs: number; cpuMs: number; rechecked: number; manifests: number };
  const recheck = JSON.parse((await measured(['--import', 'tsx', path.join(here, 'recheck.ts'), validateDir])).stdout) as { first: Load; second: Load };
  report.recheck = recheck;
  rows.push({ what: `controller: first load of ${recheck.first.manifests} manifests (worker): CPU`, value: recheck.first.cpuMs, unit: 'ms' });
  rows.push({ what: `  one-file commit after it (${recheck.second.rechecked} file read afresh): wall`, value: recheck.second.wallMs, unit: 'ms' });
  rows.push({ what: '  one-file commit: CPU', value: recheck.second.cpuMs, unit: 'ms', target: 1000 });
}
await rm(scratch, { recursive: true, force: true });
await rm(estateDir, { recursive: true, force: true });
await rm(validateDir, { recursive: true, force: true });

let missed = 0;
console.log(`${'measure'.padEnd(64)} ${'value'.padStart(10)}  target`);
for (const r of rows) {
  const ok = r.target === undefined || r.value <= r.target;
  if (!ok) missed += 1;
  const digits = r.unit === 'x' ? 2 : r.unit === 'calls' || r.unit === 'count' ? 0 : 1;
  console.log(`${r.what.padEnd(64)} ${r.value.toFixed(digits).padStart(10)} ${r.unit.padEnd(5)}${r.target === undefined ? '' : ` ≤ ${r.target}`}${ok ? '' : '  MISSED'}`);
}
report.missed = missed;
console.log(JSON.stringify(report));
process.exit(missed === 0 ? 0 : 1);
