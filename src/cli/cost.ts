import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { validRevision } from './plan.js';
import { writeJson, type Io, type OutputFormat } from './io.js';
import { estimateCost, HOURS_PER_MONTH, type Money } from '../cost/estimate.js';
import { renderCost } from '../cost/format.js';
import { loadPriceTable, priceSource, type PriceTable } from '../cost/table.js';
import { buildPriceTable } from '../cost/generate.js';
import { readOffer } from '../cost/offers.js';

export interface CostCommandOptions {
  output: OutputFormat;
  region?: string;
  prices?: string;
}

/** The region prices are read for: the flag, else the SDK's own settings. */
export function costRegion(options: { region?: string }, env: NodeJS.ProcessEnv): string {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('no region to price: pass --region or set AWS_REGION');
  return region;
}

const cents = (m: Money): Money => ({ low: Math.round(m.low * 100) / 100, high: Math.round(m.high * 100) / 100 });

/** `ballast cost`: the monthly cost of the estate the manifests describe; no AWS calls. */
export async function costCommand(manifests: string, options: CostCommandOptions, io: Io): Promise<number> {
  const revision = await validRevision(manifests, options, io);
  if (!revision) return 1;
  const table = await loadPriceTable(costRegion(options, io.env), options.prices);
  const cost = estimateCost(revision.manifests, table);
  if (options.output === 'json') {
    writeJson(io, {
      region: table.region,
      currency: table.currency,
      hoursPerMonth: HOURS_PER_MONTH,
      prices: { source: table.source, generatedAt: table.generatedAt, offers: table.offers },
      resources: cost.resources.map((r) => ({ key: r.key, monthly: cents(r.monthly), lines: r.lines.map((l) => ({ what: l.what, monthly: cents(l.monthly) })) })),
      total: cents(cost.total),
      unpriced: cost.unpriced,
    });
  } else {
    io.stdout(renderCost(cost, priceSource(table)));
  }
  return 0;
}

export interface PricesUpdateOptions {
  region: string[];
  from?: string[];
  out: string;
  output: OutputFormat;
  awsTimeout: number;
}

/** `ballast prices update`: writes one table per region from the Price List API, or from offer files given with --from. */
export async function pricesUpdateCommand(options: PricesUpdateOptions, io: Io): Promise<number> {
  const products = options.from
    ? (await Promise.all(options.from.map(async (f) => readOffer(JSON.parse(await readFile(f, 'utf8')), f)))).flat()
    : undefined;
  const source = options.from ? `offer files ${options.from.map((f) => path.basename(f)).join(', ')}` : 'pricing:GetProducts';
  const written: { region: string; file: string; table: PriceTable }[] = [];
  for (const region of options.region) {
    // The SDK is loaded only when the API is asked.
    const fetched = products ?? (await (await import('../cost/fetch.js')).fetchProducts(region, options.awsTimeout));
    const table = buildPriceTable(region, fetched, source);
    await mkdir(options.out, { recursive: true });
    const file = path.join(options.out, `${region}.json`);
    await writeFile(file, `${JSON.stringify(table, null, 2)}\n`);
    written.push({ region, file, table });
  }
  if (options.output === 'json') writeJson(io, written.map((w) => ({ region: w.region, file: w.file, offers: w.table.offers })));
  else for (const w of written) io.stdout(`${w.file}: ${priceSource(w.table)}\n`);
  return 0;
}
