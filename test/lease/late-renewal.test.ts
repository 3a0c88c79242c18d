import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROLLER_DEFAULTS, type ControllerConfig } from '../../src/controller/config.js';
import { controllerLogger, startController } from '../../src/controller/run.js';
import { useMoto } from '../support/moto.js';
import { nextReconcile, useControllerEstate } from '../support/controller.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { tempDir } from '../support/temp.js';
import { within } from '../support/wait.js';

const moto = useMoto();

/** Resolves once `condition` holds: the elector has no event for a renew deadline passing, only its `leading`. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

describe('a leader whose lease renewal is late', () => {
  const estate = useControllerEstate(moto);
  let proxy: FaultProxy | undefined;
  // Runs before the estate's hooks: a request still held would keep the controller's stop waiting.
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it('still takes the startup trigger that comes while it may not send, and reconciles once the renewal lands', async () => {
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
      leaseDuration: 4,
      leaseRenewDeadline: 3,
      leaseRetryPeriod: 0.5,
    };
    const logs: string[] = [];
    estate.running = await startController(config, controllerLogger(config, new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) })));
    const { controller, leader } = estate.running;
    await within(until(() => leader.leading), 'the lease');
    // Every renewal from now on waits too: past the renew deadline the leader may not send, yet it has not lost the lease.
    const releaseRenewals = proxy.hold((r) => r.service === 'dynamodb' && r.operation === 'PutItem');
    await within(until(() => !leader.leading), 'the renew deadline to pass');
    expect(leader.elected).toBe(true);

    const started = once(controller, 'started');
    releaseCleanup();
    expect(await within(started, () => `the startup reconcile to start; logs:\n${logs.join('')}`)).toEqual([['startup']]);
    releaseRenewals();
    const done = await nextReconcile(controller, (s) => s.result === 'success');
    expect(done.writes).toBeGreaterThan(30);
    expect(leader.leading).toBe(true);
  });
});
