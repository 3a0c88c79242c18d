import { beforeAll, beforeEach, inject } from 'vitest';
import { createAws, type Aws } from '../../src/aws/clients.js';
import { resetEmulator } from '../../src/demo/emulator.js';

/** Test credentials that can only ever reach the emulator. */
export const EMULATOR_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
};

/** This worker's emulator, started by the global setup. */
function workerEndpoint(): string {
  const endpoints = inject('motoEndpoints');
  const endpoint = endpoints[Number(process.env.VITEST_POOL_ID ?? '1') - 1];
  if (!endpoint) throw new Error(`no emulator for test worker ${process.env.VITEST_POOL_ID}`);
  return endpoint;
}

/**
 * The worker's emulator, reset before each test (a setting made through the control endpoints lasts until then).
 * `aws()` gives fresh counted clients pointed at it.
 */
export function useMoto() {
  let endpoint: string | undefined;
  Object.assign(process.env, EMULATOR_ENV);
  beforeAll(async () => {
    endpoint = workerEndpoint();
    // The previous file on this worker left its resources: a file's own beforeAll starts from an empty account too.
    await resetEmulator(endpoint);
  });
  beforeEach(async () => {
    if (endpoint) await resetEmulator(endpoint);
  });
  return {
    get endpoint(): string {
      if (!endpoint) throw new Error('moto is not started yet');
      return endpoint;
    },
    aws(): Aws {
      return createAws({ endpoint: this.endpoint, region: 'us-east-1', maxAttempts: 1 });
    },
    /** The launcher's control endpoint: RDS applies what it held for the maintenance window; answers the instances changed. */
    async openMaintenanceWindow(): Promise<string[]> {
      return ((await control(this.endpoint, 'rds/open-maintenance-window', {})) as { applied: string[] }).applied;
    },
    /** ECS deployments take this long from now until the next reset (0.3 s by default), tasks starting along the way. */
    async setRolloutSeconds(seconds: number): Promise<void> {
      await control(this.endpoint, 'ecs/rollout-seconds', { seconds });
    },
    /** RDS instances created from now until the next reset are `creating` this long (0 s by default) before `available`. */
    async setRdsCreationSeconds(seconds: number): Promise<void> {
      await control(this.endpoint, 'rds/creation-seconds', { seconds });
    },
    /** RDS failures moto never produces, until the next reset (emulator/patches/rds_failures.py). */
    async setRdsFailures(switches: { restoredStatus?: string; failReadAfterRestore?: boolean; backupLagSeconds?: number }): Promise<void> {
      await control(this.endpoint, 'rds/failures', switches);
    },
  };
}

/** POST to one of the launcher's control endpoints (emulator/README.md); answers its JSON. */
async function control(endpoint: string, path: string, body: object): Promise<unknown> {
  const res = await fetch(`${endpoint}/moto-api/ballast/${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`the emulator's ${path} failed: ${res.status}`);
  return res.json();
}
