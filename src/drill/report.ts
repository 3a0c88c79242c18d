import type { Notification } from '../report/notify.js';
import { context, escape, fallback, header, section, type Block } from '../report/slack-format.js';
import { duration } from './run.js';
import type { DrillOutcome, DrillResult } from './types.js';

const OUTCOME: Record<DrillOutcome, string> = {
  passed: 'passed',
  failed: 'FAILED',
  'budget-exceeded': 'OVER BUDGET',
  error: 'ERROR',
};

const budgeted = (value: number | null, budgetSeconds: number) =>
  `${value === null ? 'not measured' : duration(value)} (budget ${budgetSeconds / 60} min)`;

/** The facts of a drill as label/value pairs: one source for the text report and the Slack message. */
function facts(r: DrillResult): [string, string][] {
  const from = r.restoredFrom;
  const instance = r.drillInstance;
  const took = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
  return [
    ['restored', from ? `${from.snapshot ? `snapshot ${from.snapshot}` : 'latest restorable time'}, data as of ${from.time} (${r.method})` : `nothing (${r.method})`],
    ['RTO', budgeted(r.rtoSeconds, r.rtoBudgetSeconds)],
    ['RPO', budgeted(r.rpoSeconds, r.rpoBudgetSeconds)],
    [
      'instance',
      instance
        ? `${instance.identifier} (${instance.instanceClass}), ${instance.deleted ? 'deleted' : `NOT deleted${instance.deleteError ? `: ${instance.deleteError}` : ''}`}`
        : 'none created',
    ],
    ['ran', `${r.startedAt}, took ${duration(took)}`],
  ];
}

const checkLine = (c: DrillResult['checks'][number]) => `${c.passed ? '✓' : '✗'} ${c.name}: ${c.detail}`;

const title = (r: DrillResult) => `Restore drill ${r.drill} of ${r.db}: ${OUTCOME[r.outcome]}`;

/** The report `ballast drill run` prints, for people. */
export function renderDrill(r: DrillResult): string {
  const lines = [title(r), `  ${r.reason}`, ...facts(r).map(([label, value]) => `  ${label.padEnd(10)}${value}`)];
  r.checks.forEach((c, i) => lines.push(`  ${(i === 0 ? 'checks' : '').padEnd(10)}${checkLine(c)}`));
  return `${lines.join('\n')}\n`;
}

/** The Slack message for a drill result: outcome and reason, RTO and RPO against their budgets, every check. */
export function drillNotification(r: DrillResult): Notification {
  const details = facts(r).map(([label, value]) => `*${label}* ${escape(value)}`);
  const blocks: Block[] = [
    header(escape(title(r))),
    section(escape(r.reason)),
    section(details.join('\n')),
  ];
  if (r.checks.length > 0) blocks.push(section(r.checks.map((c) => escape(checkLine(c))).join('\n')));
  blocks.push(context(escape(`RestoreDrill/${r.drill} · DB ${r.db}`)));
  const plain = [title(r), r.reason, ...facts(r).map(([label, value]) => `${label}: ${value}`), ...r.checks.map(checkLine)];
  return { kind: 'drill', text: fallback(plain.map(escape)), blocks };
}
