import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { inject } from 'vitest';
import { runCli } from './cli.js';

/** The offer-file fixtures: AmazonECS as GetProducts answered it (2022), AmazonRDS and AmazonCloudWatch made up. */
export const OFFER_FIXTURES = ['AmazonECS-us-east-1.get-products.json', 'AmazonRDS-us-east-1.offer.json', 'AmazonCloudWatch-us-east-1.offer.json'].map((f) =>
  path.join('test/fixtures/prices', f),
);

let table: Promise<string> | undefined;

/**
 * The us-east-1 table `ballast prices update --from` writes from the fixtures: made once per worker, in the run's
 * scratch folder (removed at the run's end); tests only read it.
 */
export function fixtureTable(): Promise<string> {
  table ??= (async () => {
    const out = await mkdtemp(path.join(inject('scratch'), 'prices-'));
    const run = await runCli(['prices', 'update', '--region', 'us-east-1', '--from', ...OFFER_FIXTURES, '--out', out]);
    if (run.code !== 0) throw new Error(`prices update failed: ${run.stderr}`);
    return path.join(out, 'us-east-1.json');
  })().catch((err: unknown) => {
    table = undefined; // the next test tries again rather than failing with this error
    throw err;
  });
  return table;
}
