import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createAws, type Aws } from '../../src/aws/clients.js';
import { startEmulator, type Emulator } from '../../src/demo/emulator.js';

/** Test credentials that can only ever reach the emulator. */
export const EMULATOR_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
};

/**
 * One emulator per test file (files run in parallel), reset before each test. `aws()` gives fresh counted clients
 * pointed at it.
 */
export function useMoto(env: Record<string, string> = {}) {
  let moto: Emulator | undefined;
  Object.assign(process.env, EMULATOR_ENV);
  beforeAll(async () => {
    moto = await startEmulator({ env });
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto?.reset();
  });
  return {
    get endpoint(): string {
      if (!moto) throw new Error('moto is not started yet');
      return moto.endpoint;
    },
    aws(): Aws {
      return createAws({ endpoint: this.endpoint, region: 'us-east-1', maxAttempts: 1 });
    },
    /** The launcher's control endpoint: RDS applies what it held for the maintenance window; answers the instances changed. */
    async openMaintenanceWindow(): Promise<string[]> {
      const res = await fetch(`${this.endpoint}/moto-api/ballast/rds/open-maintenance-window`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`opening the maintenance window failed: ${res.status}`);
      return ((await res.json()) as { applied: string[] }).applied;
    },
  };
}
