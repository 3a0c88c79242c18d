import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './cli.js';

/** The offer-file fixtures: AmazonECS as GetProducts answered it (2022), AmazonRDS and AmazonCloudWatch made up. */
export const OFFER_FIXTURES = ['AmazonECS-us-east-1.get-products.json', 'AmazonRDS-us-east-1.offer.json', 'AmazonCloudWatch-us-east-1.offer.json'].map((f) =>
  path.join('test/fixtures/prices', f),
);

/** Runs `ballast prices update --from` on the fixtures and returns the us-east-1 table it wrote. */
export async function fixtureTable(): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'ballast-prices-'));
  const run = await runCli(['prices', 'update', '--region', 'us-east-1', '--from', ...OFFER_FIXTURES, '--out', out]);
  if (run.code !== 0) throw new Error(`prices update failed: ${run.stderr}`);
  return path.join(out, 'us-east-1.json');
}
