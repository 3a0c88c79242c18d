import { once } from 'node:events';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROLLER_DEFAULTS, type ControllerConfig } from '../../src/controller/config.js';
import { controllerLogger, startController } from '../../src/controller/run.js';
import { useMoto } from '../support/moto.js';
import { nextReconcile, settled, startOnEstate, useControllerEstate } from '../support/controller.js';
import { editManifest, setField } from '../support/manifests.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { tempDir } from '../support/temp.js';
import { EVENT_TIMEOUT_MS, within } from '../support/wait.js';

const moto = useMoto();

/** Resolves once `condition` holds, polled: the elector has no event for a renew deadline passing, only `leading`. */
function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  return within(
    (async () => {
      while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    })(),
    what,
  );
}

describe('a leader whose lease renewal is late', () => {
  const estate = useControllerEstate(moto);
  let proxy: FaultProxy | undefined;
  // Runs before the estate's hooks: a request still held would keep the controller's stop waiting.
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it('keeps the startup trigger that comes while its renewal is late, sends nothing, and runs it once the renewal lands', async () => {
    proxy = new FaultProxy(moto.endpoint);
    process.env.AWS_ENDPOINT_URL = await proxy.start();
    // The look for drill leftovers, the last thing a new leader does before its startup trigger, waits for the test.
    const releaseCleanup = proxy.hold((r) => r.operation === 'GetResources');
    const config: ControllerConfig = {
      ...CONTROLLER_DEFAULTS,
      repoUrl: estate.repo.url,
      workdir: await tempDir('clone'),
      pollInterval: 3600,
      driftSchedule: '0 0 1 1 *',
      port: 0,
      host: '127.0.0.1',
      leaseTable: 'ballast-leases',
      // A renewal held past the renew deadline still lands within it when counted from its start (2.5 s of margin),
      // so the leader stays elected.
      leaseDuration: 6,
      leaseRenewDeadline: 4,
      leaseRetryPeriod: 2.5,
    };
    const logs: string[] = [];
    estate.running = await startController(config, controllerLogger(config, new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) })));
    const { controller, leader } = estate.running;
    const messages = () => logs.map((l) => (JSON.parse(l) as { msg: string }).msg);
    await until(() => leader.leading, 'the lease');
    // The next renewal waits too: past the renew deadline the leader may not send, yet it has not lost the lease.
    const releaseRenewals = proxy.hold((r) => r.service === 'dynamodb' && r.operation === 'PutItem');
    await until(() => !leader.leading, 'the renew deadline to pass');
    expect(leader.elected).toBe(true);

    releaseCleanup();
    await until(() => messages().includes('reconcile waits for the lease renewal'), 'the startup trigger to wait for the renewal');
    const started = once(controller, 'started');
    const released = Date.now();
    releaseRenewals();
    expect(await within(started, 'the startup reconcile to start')).toEqual([['startup']]);
    // Nothing but the lease and the clean-up reached AWS while the renewal was late: no run with its calls refused.
    expect(proxy.requests.filter((r) => r.at < released && r.service !== 'dynamodb' && r.operation !== 'GetResources')).toEqual([]);
    // On a loaded machine a later renewal can be late in the middle of the run (its calls refused, then retried).
    const done = await nextReconcile(controller, (s) => s.result === 'success');
    expect(done.writes).toBeGreaterThan(0);
  });

  /**
   * A run whose only write is held until the renewal after it is late, then let go: nothing is left to send, and the
   * run reaches its report while the renewal is still held (`releaseRenewals` lets it land).
   */
  async function runEndingDuringLateRenewal() {
    proxy = new FaultProxy(moto.endpoint);
    process.env.AWS_ENDPOINT_URL = await proxy.start();
    const logs: string[] = [];
    // A renewal held past the renew deadline lands within it counted from its start, for up to a retry period (4 s).
    await startOnEstate(estate, logs, { leaseTable: 'ballast-leases', leaseDuration: 8, leaseRenewDeadline: 5, leaseRetryPeriod: 4 });
    const { controller, leader } = estate.running!;
    const messages = () => logs.map((l) => (JSON.parse(l) as { msg: string }).msg);
    await settled(controller);
    const posted = estate.slack.messages.length;

    let writing!: () => void;
    const written = new Promise<void>((resolve) => (writing = resolve));
    const releaseWrite = proxy.hold((r) => r.operation === 'PutMetricAlarm' && (writing(), true));
    await editManifest(path.join(estate.repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['spec', 'threshold'], 70));
    const pushed = await estate.repo.push('storefront: alarm at 70% CPU');
    const ran = nextReconcile(controller, (s) => s.revision === pushed);
    controller.trigger('webhook');
    await within(written, 'the alarm write');
    const releaseRenewals = proxy.hold((r) => r.service === 'dynamodb' && r.operation === 'PutItem');
    await until(() => !leader.leading, 'the renew deadline to pass');
    expect(leader.elected).toBe(true);
    releaseWrite();
    await until(() => messages().includes('report waits for the lease renewal'), 'the report to wait for the renewal');
    return { ran, releaseRenewals, messages, posted, leader };
  }

  it('reports a run whose renewal is late as it ends, once the renewal lands, rather than leave the report to no one', async () => {
    const { ran, releaseRenewals, messages, posted } = await runEndingDuringLateRenewal();
    releaseRenewals();
    expect((await ran).result).toBe('success');
    await estate.slack.received(posted + 1);
    expect(estate.slack.texts().slice(posted).join('\n')).toContain('storefront-cpu-high');
    expect(messages()).not.toContain('not leading: report left to the leader');
  });

  it('leaves the report to the next leader when that renewal never lands, and the run still ends', async () => {
    const { ran, messages, posted, leader } = await runEndingDuringLateRenewal();
    // The renewal stays held: the run waits no longer than the lease, which has run out by then.
    expect((await ran).writes).toBe(1);
    expect(leader.leading).toBe(false);
    expect(messages()).toContain('not leading: report left to the leader');
    expect(estate.slack.messages.length).toBe(posted);
    // The renewal that never answers is given up (each attempt after the renew deadline): the leader stands down
    // rather than stay elected, taking triggers it cannot run, for as long as the request hangs.
    await until(() => !leader.elected, 'the leader to stand down');
  });
});
