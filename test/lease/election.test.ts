import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { ControllerProcess, type LogLine } from '../support/controller-process.js';
import { SlackReceiver } from '../support/slack.js';
import { EVENT_TIMEOUT_MS, within } from '../support/wait.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseStore } from '../../src/lease/store.js';

const moto = useMoto();
// Short lease settings keep the test fast; the ratios are about controller-runtime's (15 s / 10 s / 2 s).
const LEASE = { duration: 4, renewDeadline: 3, retryPeriod: 0.5 };
const TOKEN = 'operator-token-for-tests';
// A whole apply of the shop estate by a child process: over a minute with two suites on two cores.
const APPLY_TIMEOUT_MS = 2 * EVENT_TIMEOUT_MS;

const finished = (l: LogLine) => l.msg === 'reconcile finished';
const leading = (l: LogLine) => l.msg === 'leading';

describe('two controllers with leader election', () => {
  let repo: TestRepo;
  let slack: SlackReceiver;
  let proxies: FaultProxy[];
  let controllers: ControllerProcess[];

  beforeEach(async () => {
    await createNetwork(moto.aws());
    repo = await createRepo();
    slack = new SlackReceiver();
    proxies = [];
    controllers = [];
  });
  afterEach(async (ctx) => {
    // What each replica thought of the lease, for a failure's report.
    if (ctx.task.result?.state === 'fail') {
      for (const c of controllers) console.log(c.logs.filter((l) => /leading|standing|lease|reconcile finished/.test(l.msg)).map((l) => `${l.time} ${l.msg} ${String(l.reason ?? l.result ?? '')}`).join('\n'));
    }
    await Promise.all(controllers.map((c) => c.kill()));
    await Promise.all(proxies.map((p) => p.stop()));
    await slack.stop();
    await removeRepo(repo);
  });

  /** One replica, behind a proxy of its own so that every request it makes is known to be its. */
  async function replica(proxy = new FaultProxy(moto.endpoint)): Promise<{ controller: ControllerProcess; proxy: FaultProxy }> {
    proxies.push(proxy);
    const controller = await ControllerProcess.start({
      AWS_ENDPOINT_URL: await proxy.start(),
      BALLAST_REPO_URL: repo.url,
      BALLAST_SLACK_WEBHOOK_URL: slackUrl,
      BALLAST_LEASE_TABLE: 'ballast-leases',
      BALLAST_LEASE_DURATION: String(LEASE.duration),
      BALLAST_LEASE_RENEW_DEADLINE: String(LEASE.renewDeadline),
      BALLAST_LEASE_RETRY_PERIOD: String(LEASE.retryPeriod),
      BALLAST_API_TOKEN: TOKEN,
    });
    controllers.push(controller);
    return { controller, proxy };
  }
  let slackUrl: string;

  /** Two replicas started together; the one that leads first, and the other. */
  async function pair() {
    slackUrl = await slack.start();
    const [a, b] = await Promise.all([replica(), replica()]);
    const first = await Promise.race([a, b].map((r) => r.controller.waitFor(leading, 10_000).then(() => r)));
    return { leader: first, standby: first === a ? b : a };
  }

  /** Resolves once the lease, as stored, has been renewed over more than `ms` since now. */
  async function renewedOver(ms: number): Promise<void> {
    const client = new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const store = new LeaseStore(client, 'ballast-leases', 'leader/ballast');
    const since = Date.parse((await store.read())!.renewedAt);
    await within(
      (async () => {
        while (Date.parse((await store.read())!.renewedAt) - since <= ms) await new Promise((r) => setTimeout(r, LEASE.retryPeriod * 1000));
      })(),
      `the lease renewed over ${ms} ms`,
    );
  }

  const reconcile = (url: string) => fetch(`${url}/reconcile?wait=true`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });

  const threshold = async (name: string) =>
    (await moto.aws().cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.Threshold;

  it('exactly one of two replicas reconciles and writes; the other stands by and says who leads', async () => {
    const { leader, standby } = await pair();
    // On a loaded machine a renewal can come late and its calls fail with LeaseLost: the leader then tries again.
    await leader.controller.waitFor((l) => finished(l) && l.result === 'success', APPLY_TIMEOUT_MS);
    expect(leader.proxy.writes().length).toBeGreaterThan(30);
    // Asked to reconcile, the standby refuses and names the leader; the leader runs it.
    const refused = await reconcile(standby.controller.url);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toBe(`standing by: ${(await leader.controller.status()).identity} leads; ask the leader`);
    const again = await reconcile(leader.controller.url);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { result: string }).result).toBe('success');
    // Over more than a lease duration of the leader's renewals the standby has sent nothing and run no reconcile.
    await renewedOver(LEASE.duration * 1000);
    expect(standby.proxy.writes()).toEqual([]);
    expect(standby.controller.logs.filter((l) => l.msg === 'reconcile started' || l.msg === 'write')).toEqual([]);

    const [ls, ss] = [await leader.controller.status(), await standby.controller.status()];
    expect(ls).toMatchObject({ leader: true, holder: ls.identity });
    expect(ss).toMatchObject({ leader: false, holder: ls.identity });
    expect(ss.identity).not.toBe(ls.identity);
    expect(await (await fetch(`${leader.controller.url}/metrics`)).text()).toContain('ballast_leader 1');
    expect(await (await fetch(`${standby.controller.url}/metrics`)).text()).toContain('ballast_leader 0');
    expect((await fetch(`${standby.controller.url}/healthz`)).status).toBe(200);
  }, 300_000);

  it('when the leader is killed mid-apply, the standby leads within the lease duration and converges the estate', async () => {
    const { leader, standby } = await pair();
    await leader.controller.waitFor((l) => l.msg === 'write', 30_000);
    await leader.controller.kill('SIGKILL');
    const killedAt = Date.now();
    const took = await standby.controller.waitFor(leading, 10_000);
    // Taken over once the lease, last seen renewed up to a retry period before the kill, has run out.
    expect(took.time - killedAt).toBeLessThan((LEASE.duration + 3 * LEASE.retryPeriod) * 1000);
    const done = await standby.controller.waitFor((l) => finished(l) && l.result === 'success', APPLY_TIMEOUT_MS);
    expect(done.writes).toBeGreaterThan(0);
    const services = await moto.aws().ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront', 'checkout', 'catalog', 'worker'] }));
    expect(services.services?.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);
    expect(await threshold('storefront-cpu-high')).toBe(85);
    expect((await standby.controller.status()).leader).toBe(true);
  }, 300_000);

  it('a leader paused past its lease sends nothing after it resumes until it holds the lease again', async () => {
    slackUrl = await slack.start();
    // The first replica answers slowly, so it is paused with most of its first apply still to send.
    const slow = new FaultProxy(moto.endpoint);
    slow.faults = { writeLatencyMs: 3_000 };
    const paused = await replica(slow);
    await paused.controller.waitFor(leading, 10_000);
    await paused.controller.waitFor((l) => l.msg === 'write', 30_000);
    paused.controller.child.kill('SIGSTOP');
    // Started only now: a start takes seconds of CPU, and on a loaded machine the paused one's whole apply could end
    // before a replica started beside it were up.
    const other = await replica();
    await other.controller.waitFor(leading, EVENT_TIMEOUT_MS);
    await other.controller.waitFor((l) => finished(l) && l.result === 'success', APPLY_TIMEOUT_MS);

    const resumedAt = Date.now();
    paused.controller.child.kill('SIGCONT');
    // Its interrupted reconcile ends without another write: every call left is refused before it is sent.
    const ended = await paused.controller.waitFor(finished, APPLY_TIMEOUT_MS, resumedAt);
    await paused.controller.waitFor((l) => l.msg === 'standing by', 10_000, resumedAt);
    expect(paused.proxy.writes(resumedAt)).toEqual([]);
    expect(ended.result).toBe('failure');
    expect(paused.controller.logs.some((l) => l.msg === 'write' && String(l.detail).startsWith('LeaseLost'))).toBe(true);
    expect((await paused.controller.status()).leader).toBe(false);

    // Once the other is gone it takes the lease again and reconciles as leader.
    await other.controller.kill('SIGKILL');
    await paused.controller.waitFor(leading, 10_000, resumedAt);
    await paused.controller.waitFor((l) => finished(l) && l.result === 'success', 30_000, resumedAt);
  }, 300_000);
});
