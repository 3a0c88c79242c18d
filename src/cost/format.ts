import type { EstateCost, Money } from './estimate.js';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Cents are what a bill shows: amounts are rounded there, and only there. */
const cents = (n: number) => Math.round(n * 100) / 100;

export function formatMoney(m: Money): string {
  const low = cents(m.low);
  const high = cents(m.high);
  return low === high ? usd.format(low) : `${usd.format(low)}..${usd.format(high)}`;
}

/** A monthly change as plans show it: `+ $142.08/month`, `- $10.00/month`, `+ $0.00..$380.00/month`. */
export function formatDelta(m: Money): string {
  const low = cents(m.low);
  const high = cents(m.high);
  const sign = (n: number) => (n < 0 ? '-' : '+');
  if (low === high) return `${sign(low)} ${usd.format(Math.abs(low))}/month`;
  if (Math.sign(low) === Math.sign(high) || low === 0 || high === 0) {
    const s = low < 0 || high < 0 ? '-' : '+';
    return `${s} ${usd.format(Math.abs(low))}..${usd.format(Math.abs(high))}/month`;
  }
  return `${low < 0 ? '-' : '+'} ${usd.format(Math.abs(low))}..${high < 0 ? '-' : '+'} ${usd.format(Math.abs(high))}/month`;
}

export const isZero = (m: Money) => cents(m.low) === 0 && cents(m.high) === 0;

/** `ballast cost` as text: one block per resource, its billed items, the total and where the prices come from. */
export function renderCost(cost: EstateCost, source: string): string {
  const width = Math.max(...cost.resources.flatMap((r) => r.lines.map((l) => l.what.length)), 20);
  const out: string[] = [];
  for (const r of cost.resources) {
    out.push(`  ${r.key}  ${formatMoney(r.monthly)}`);
    for (const l of r.lines) out.push(`      ${l.what.padEnd(width)}  ${formatMoney(l.monthly)}`);
  }
  for (const u of cost.unpriced) out.push(`  not priced: ${u}`);
  out.push('', `Total: ${formatMoney(cost.total)} a month (730 hours; ranges run from the fewest tasks and replicas to the most).`, `Prices: ${source}.`);
  return `${out.join('\n')}\n`;
}
