import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo/run.js';
import { tempDir } from './support/temp.js';

describe('npm run demo', () => {
  it('narrates every step, exits 0 and leaves nothing behind', async () => {
    // A temporary folder of its own (the demo's, its emulator's and Git's files go there), so that what it leaves is
    // told apart from another demo's running beside it.
    const tmp = await tempDir('demo-tmp');
    process.env.TMPDIR = tmp;
    const lines: string[] = [];
    const code = await runDemo((l) => lines.push(l));
    const out = lines.join('\n');
    expect(code, out).toBe(0);
    for (const step of [
      '1. First reconcile: Ballast creates the estate from Git',
      '2. A drift scan of a converged estate changes nothing',
      '3. Someone changes things by hand in the console',
      '4. A commit resizes storefront; the signed webhook applies it at once',
      '5. An invalid commit is rejected; the last good revision stays in force',
      '6. The weekly restore drill of shop-db, run now',
    ]) {
      expect(out).toContain(step);
    }
    expect(out).toMatch(/success: created 24 resources/);
    expect(out).toContain('drift scan: success, 0 write calls');
    expect(out).toContain('*Alarm/storefront-cpu-high* spec.threshold: 99 -> 85 (reverted)');
    expect(out).toContain('alarm storefront-cpu-high threshold is 85 again');
    expect(out).toMatch(/webhook: 202 \(an unsigned copy got 401\); applied in [\d.]+ s, 2 write calls/);
    expect(out).toMatch(/desired-state\/services\/storefront\.yaml:10:11: EcsService\/storefront: spec\.memory/);

    expect(out).toContain('Restore drill shop-db-drill of shop-db: passed');
    expect(out).toMatch(/instance {2}shop-db-drill-\d{12} \(db\.t4g\.medium\), deleted/);

    // Nothing left running or on disk.
    const endpoint = /AWS emulator \(moto\) on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    await expect(fetch(`${endpoint}/moto-api/`)).rejects.toThrow();
    expect(await readdir(tmp)).toEqual([]);
  }, 180_000);
});
