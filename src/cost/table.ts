import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

/**
 * On-demand prices of one region, in USD, as `ballast prices update` extracts them from AWS's Price List API. Keys
 * are built by the helpers below; every price comes from one offer whose version is recorded in `offers`.
 */
export interface PriceTable {
  region: string;
  currency: 'USD';
  /** Where the prices came from: "pricing:GetProducts" or the offer files given to --from. */
  source: string;
  /** When the table was generated (ISO time). */
  generatedAt: string;
  /** Offer code -> the version and publication date of the offer the prices were read from. */
  offers: Record<string, { version: string; publicationDate: string }>;
  /** Per vCPU-hour and per GB-hour, by CPU architecture. */
  fargate: Partial<Record<Architecture, { vcpuHour?: number; gbHour?: number }>>;
  rds: {
    /** `engine|class|deployment` -> per hour. */
    instanceHour: Record<string, number>;
    /** `type|deployment` -> per GB-month. */
    storageGbMonth: Record<string, number>;
    /** `type|deployment` -> per provisioned IOPS-month. */
    iopsMonth: Record<string, number>;
  };
  cloudwatch: {
    /** Per alarm metric-month, standard (60 s and longer) and high resolution (10 s, 30 s) periods. */
    alarmMetricMonth?: number;
    highResAlarmMetricMonth?: number;
    dashboardMonth?: number;
  };
}

export type Architecture = 'X86_64' | 'ARM64';
export type Deployment = 'Single-AZ' | 'Multi-AZ';

export const instanceKey = (engine: string, instanceClass: string, deployment: Deployment) => `${engine}|${instanceClass}|${deployment}`;
export const storageKey = (type: string, deployment: Deployment) => `${type}|${deployment}`;

/** The folder of the tables shipped with Ballast (prices/ at the package root). */
export const SHIPPED_PRICES = path.join(PACKAGE_ROOT, 'prices');

export class PriceTableMissing extends Error {}

/** Reads the table of `region` from `file`, or from the shipped tables; says how to add a region that has none. */
export async function loadPriceTable(region: string, file?: string): Promise<PriceTable> {
  const where = file ?? path.join(SHIPPED_PRICES, `${region}.json`);
  if (!existsSync(where)) {
    throw new PriceTableMissing(
      `no price table for ${region}${file ? ` at ${file}` : ''}: add one with \`ballast prices update --region ${region}\` ` +
        `(calls pricing:GetProducts) or \`ballast prices update --region ${region} --from AmazonECS.json AmazonRDS.json AmazonCloudWatch.json\` ` +
        `(offer files downloaded from the AWS Price List API), then pass it with --prices or ship it in prices/`,
    );
  }
  const table = JSON.parse(await readFile(where, 'utf8')) as PriceTable;
  if (table.region !== region) throw new Error(`${where} holds prices of ${table.region}, not ${region}`);
  return table;
}

/** One line saying where the prices come from, shown with every figure. */
export function priceSource(table: PriceTable): string {
  const offers = Object.entries(table.offers)
    .map(([code, o]) => `${code} ${o.publicationDate.slice(0, 10)}`)
    .join(', ');
  return `AWS Price List (${table.source}; ${offers}; generated ${table.generatedAt.slice(0, 10)}), on-demand ${table.currency}, ${table.region}`;
}
