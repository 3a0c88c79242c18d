import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { setTimeout as pause } from 'node:timers/promises';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { useMoto } from '../support/moto.js';
import { within } from '../support/wait.js';
import { tempDir } from '../support/temp.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { ControllerProcess, type LogLine } from '../support/controller-process.js';
import { alarmNames, alarmYaml, awsIn, createRole, targetYaml } from '../support/accounts.js';
import { LeaseStore } from '../../src/lease/index.js';
import { runCli } from '../support/cli.js';
import type { Aws } from '../../src/aws/clients.js';
import type { Target } from '../../src/schema/index.js';

const moto = useMoto();
// Short lease settings keep the file fast, with room for a renewal to be late by seconds on a loaded machine.
const LEASE = { duration: 5, renewDeadline: 3.5, retryPeriod: 0.5 };
const TABLE = 'ballast-leases';
/** Four accounts, each in a region of its own, so that the region a write is signed for names its target. */
const ACCOUNTS = [
  { name: 'eu', account: '111111111111', region: 'eu-west-1' },
  { name: 'us', account: '222222222222', region: 'us-west-2' },
  { name: 'ap', account: '333333333333', region: 'ap-southeast-2' },
  { name: 'de', account: '444444444444', region: 'eu-central-1' },
];
/** The default target: the controllers' own account and region. */
const HOME = { name: '(default)', region: 'us-east-1' };
const NAMES = [HOME.name, ...ACCOUNTS.map((a) => a.name)].sort();
const regionOf = (target: string) => [HOME, ...ACCOUNTS].find((a) => a.name === target)!.region;

const held = (targets: Set<string>) => (l: LogLine) => l.msg === 'target held' && targets.has(String(l.target));

describe('three controllers sharing a lease table', () => {
  let repo: TestRepo;
  let proxies: FaultProxy[];
  let controllers: ControllerProcess[];
  let targets: Target[];

  beforeEach(async () => {
    await Promise.all(ACCOUNTS.map((a) => createRole(moto.endpoint, a.account, 'ballast')));
    const seed = await tempDir('shared');
    await writeFile(path.join(seed, 'home.yaml'), alarmYaml('home-cpu', 'none').replace('  target: none\n', ''));
    repo = await createRepo(seed);
    targets = ACCOUNTS.map((a) => parse(targetYaml(a.name, a.account, a.region, 'ballast')) as Target);
    proxies = [];
    controllers = [];
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      for (const c of controllers) console.log(c.logs.filter((l) => /target|reconcile finished|membership/.test(l.msg)).map((l) => `${l.time} ${l.msg} ${String(l.target ?? l.result ?? '')}`).join('\n'));
    }
    await Promise.all(controllers.map((c) => c.kill()));
    await Promise.all(proxies.map((p) => p.stop()));
    await removeRepo(repo);
  });

  /** One replica, behind a proxy of its own so that every request it makes is known to be its. */
  async function replica(): Promise<{ controller: ControllerProcess; proxy: FaultProxy }> {
    const proxy = new FaultProxy(moto.endpoint);
    proxies.push(proxy);
    const controller = await ControllerProcess.start({
      AWS_ENDPOINT_URL: await proxy.start(),
      BALLAST_REPO_URL: repo.url,
      BALLAST_CONTROLLER_ID: 'ci',
      BALLAST_LEASE_TABLE: TABLE,
      BALLAST_SHARE_TARGETS: 'true',
      BALLAST_LEASE_DURATION: String(LEASE.duration),
      BALLAST_LEASE_RENEW_DEADLINE: String(LEASE.renewDeadline),
      BALLAST_LEASE_RETRY_PERIOD: String(LEASE.retryPeriod),
      BALLAST_POLL_INTERVAL: '1',
    });
    controllers.push(controller);
    return { controller, proxy };
  }

  const dynamo = () => new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', maxAttempts: 1 });
  /** Who holds each target's lease, as the lease items say. */
  const holders = async () => new Map(await Promise.all(NAMES.map(async (t) => [t, (await new LeaseStore(dynamo(), TABLE, `target/ci/${t}`).read())?.holder ?? ''] as const)));
  /** The replicas beating in the membership item (none while the first replica is still creating the table). */
  const members = async () => {
    const read = dynamo().send(new GetItemCommand({ TableName: TABLE, Key: { name: { S: 'members/ci' } }, ConsistentRead: true }));
    const item = await read.then((out) => out.Item ?? {}, (err: Error) => (err.name === 'ResourceNotFoundException' ? {} : Promise.reject(err)));
    return Object.keys(item).filter((k) => k.startsWith('member:'));
  };
  const awsOf = (target: string): Aws => (target === HOME.name ? moto.aws() : awsIn(moto.endpoint, targets.find((t) => t.metadata.name === target)!));
  const alarmOf = (target: string) => (target === HOME.name ? 'home-cpu' : `${target}-cpu`);

  /** Resolves with the last of the `target held` lines that, across these replicas, name every one of `names` since `since`. */
  function allHeld(replicas: ControllerProcess[], names: string[], since = 0): Promise<LogLine> {
    const seen = new Set<string>();
    const wanted = new Set(names);
    return within(
      Promise.race(replicas.map((c) => c.waitFor((l) => held(wanted)(l) && (seen.add(String(l.target)), seen.size === wanted.size), 30_000, since))),
      () => `targets held: ${[...seen].join(', ')} of ${names.join(', ')}`,
    );
  }

  /** Resolves with the last of the `write` lines that, across these replicas, created every one of `alarms` since `since`. */
  function allWritten(replicas: ControllerProcess[], alarms: string[], since: number): Promise<LogLine> {
    const seen = new Set<string>();
    const wanted = new Set(alarms.map((a) => `Alarm/${a}`));
    const match = (l: LogLine) => l.msg === 'write' && l.state === 'done' && wanted.has(String(l.resource)) && (seen.add(String(l.resource)), seen.size === wanted.size);
    return within(Promise.race(replicas.map((c) => c.waitFor(match, 30_000, since))), () => `alarms written: ${[...seen].join(', ')} of ${alarms.join(', ')}`);
  }

  /** The end of the reconcile a replica started for the last target it gained (since `since`). */
  async function converged(c: ControllerProcess, since = 0): Promise<LogLine | undefined> {
    const gains = c.logs.filter((l) => l.msg === 'target held' && l.time >= since);
    if (gains.length === 0) return undefined;
    const last = gains.at(-1)!.time;
    const started = await c.waitFor((l) => l.msg === 'reconcile started' && (l.triggers as string[]).includes('takeover'), 30_000, last);
    // Its own end: the next one logged (one reconcile runs at a time); the one before may end in the same millisecond.
    const finished = await c.waitFor((l) => l.msg === 'reconcile finished' && c.logs.indexOf(l) > c.logs.indexOf(started), 30_000, started.time);
    expect(finished.result).toBe('success');
    return finished;
  }

  it('split five targets, each held and written by exactly one of them; a killed one\'s targets are taken over within the lease duration', async () => {
    const replicas = await Promise.all([replica(), replica(), replica()]);
    const processes = replicas.map((r) => r.controller);
    // Every replica counts the others before the five targets arrive, so none takes more than its share meanwhile.
    await within(
      (async () => {
        while ((await members()).length < 3) await pause(100);
      })(),
      'three members in the membership item',
    );
    await writeFile(path.join(repo.work, 'desired-state', 'targets.yaml'), ACCOUNTS.map((a) => targetYaml(a.name, a.account, a.region, 'ballast')).join('---\n'));
    await writeFile(path.join(repo.work, 'desired-state', 'alarms.yaml'), ACCOUNTS.map((a) => alarmYaml(`${a.name}-cpu`, a.name)).join('---\n'));
    const pushedAt = Date.now();
    await repo.push('Four more accounts');
    await allHeld(processes, NAMES);
    await allWritten(processes, ACCOUNTS.map((a) => alarmOf(a.name)), pushedAt);
    await Promise.all(processes.map((c) => converged(c, pushedAt)));

    // Exactly one holder per target, as the lease items say, shared 2, 2, 1; no replica says it holds another's.
    // (A replica whose renewal runs late on a loaded machine may say it holds less: it then sends nothing there.)
    const identities = await Promise.all(processes.map(async (c) => (await c.status()).identity));
    const items = await holders();
    expect([...items.values()].every((h) => identities.includes(h))).toBe(true);
    const mine = identities.map((id) => NAMES.filter((t) => items.get(t) === id));
    expect(mine.map((m) => m.length).sort()).toEqual([1, 2, 2]);
    for (const [i, c] of processes.entries()) {
      const status = (await c.status()).targets as { target: string; held: boolean; holder: string }[];
      expect(status.map((t) => t.target)).toEqual(NAMES);
      expect(mine[i]).toEqual(expect.arrayContaining(status.filter((t) => t.held).map((t) => t.target)));
      const metrics = await (await fetch(`${c.url}/metrics`)).text();
      const series = [...metrics.matchAll(/^ballast_target_held\{target="([^"]+)"\} ([01])$/gm)];
      expect(series.map((m) => m[1]).sort()).toEqual(NAMES);
      expect(mine[i]).toEqual(expect.arrayContaining(series.filter((m) => m[2] === '1').map((m) => m[1])));
      // The same, for a person: what this replica holds, and which replica holds each of the others. A replica reads the
      // others' leases once a round, so one that just took a target may still show a lease free that was taken since.
      const line = new RegExp(`^targets {4}held by this replica: [^;]+; others: .*\\((${identities.filter((id) => id !== identities[i]).join('|')})\\)`, 'm');
      let text = '';
      for (const deadline = Date.now() + 10_000; !line.test(text) && Date.now() < deadline; await pause(LEASE.retryPeriod * 1000)) {
        text = (await runCli(['status', '--controller', c.url])).stdout;
      }
      expect(text).toMatch(line);
    }
    // Every target converged, and every write was made by the replica holding its target at that moment (the region a
    // write was signed for names the target). A target can change hands after the push while the shares settle (the
    // first replica held the home target alone), so what matters is the holder when the write was sent.
    for (const t of NAMES) expect(await alarmNames(awsOf(t))).toContain(alarmOf(t));
    const sent = replicas.map((r) => r.proxy.writes(pushedAt).filter((w) => w.service === 'monitoring'));
    for (const [i, writes] of sent.entries()) {
      for (const w of writes) {
        const target = NAMES.find((t) => regionOf(t) === w.region);
        const last = processes[i]!.logs.filter((l) => l.target === target && l.time <= w.at && /^target (held|lost|released)$/.test(l.msg)).at(-1);
        expect(last?.msg, `${identities[i]} wrote in ${w.region} at ${w.at}`).toBe('target held');
      }
    }
    // Each target written since the push, by some replica.
    const written = new Set(sent.flat().map((w) => w.region));
    expect(ACCOUNTS.map((a) => a.region).every((region) => written.has(region))).toBe(true);

    // A replica holding two targets dies; their alarms are deleted by hand meanwhile, so the takeover has work to do.
    const victim = mine.findIndex((m) => m.length === 2);
    const lost = mine[victim]!;
    for (const t of lost) await awsOf(t).cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [alarmOf(t)] }));
    const survivors = processes.filter((_, i) => i !== victim);
    const killedAt = Date.now();
    await processes[victim]!.kill('SIGKILL');
    const taken = await allHeld(survivors, lost, killedAt);
    const convergedAt = (await allWritten(survivors, lost.map(alarmOf), killedAt)).time;
    console.log(`takeover: ${((taken.time - killedAt) / 1000).toFixed(1)} s, converged: ${((convergedAt - killedAt) / 1000).toFixed(1)} s (lease ${LEASE.duration} s, retry ${LEASE.retryPeriod} s)`);
    // The lease runs out a lease duration after a survivor last saw it renewed (up to a round before the kill), and the
    // membership beat ages alike; then the next round takes it. A round takes a second or more on a loaded machine.
    expect(taken.time - killedAt).toBeLessThan((LEASE.duration + 10 * LEASE.retryPeriod) * 1000);
    for (const t of lost) expect(await alarmNames(awsOf(t))).toContain(alarmOf(t));
    const after = await holders();
    expect(lost.map((t) => after.get(t)).every((h) => h !== identities[victim] && identities.includes(h!))).toBe(true);
  }, 120_000);
});
