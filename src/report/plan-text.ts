import type { Plan, ResourcePlan, ResourceStatus } from '../plan/types.js';
import { describeDisruption } from '../plan/disruption.js';
import { driftOf, DRIFT_LABEL, isDrift } from '../plan/drift.js';
import { redactValue, show } from './redact.js';
import { deltaOf, formatDelta, type PlanCostReport } from '../cost/index.js';
import { plain, type Colour, type Paint } from './colour.js';

export { isDrift };

const SYMBOL: Record<ResourceStatus, string> = {
  create: '+',
  update: '~',
  adopt: '~',
  prune: '-',
  'in-sync': '=',
  pending: '…',
  unmanaged: '?',
  error: 'x',
  suspended: ' ',
  progressing: '>',
};

/** What each status looks like in a terminal: additions green, changes yellow, deletions and errors red. */
const COLOUR: Partial<Record<ResourceStatus, Colour>> = { create: 'green', update: 'yellow', adopt: 'yellow', prune: 'red', error: 'red', unmanaged: 'cyan', pending: 'dim', progressing: 'cyan' };

function changeLines(r: ResourcePlan, driftOnly: boolean, paint: Paint): string[] {
  const kind = driftOf(r);
  const head = driftOnly && kind && kind !== 'changed' ? [`      ${DRIFT_LABEL[kind]}`] : [];
  const lines = r.changes.map((c) => {
    const marks = [
      c.pending ? '(pending at AWS)' : '',
      c.destructive ? `(destructive: ${c.destructive})` : '',
      c.optIn ? `(needs ${c.optIn.annotation}: ${c.optIn.reason})` : '',
      r.refused.includes(c) ? '(refused)' : '',
      c.waitsFor ? `(waits for refused ${c.waitsFor.join(', ')})` : '',
      c.reason && !c.scaling ? `(${c.reason})` : '',
      c.scaling ? `(scaling: ${c.reason ?? 'follows traffic'})` : '',
      !c.scaling && c.reason ? `(${c.reason})` : '',
      c.unfixable ? `(not fixable by a call: ${c.unfixable})` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const line = `      ${c.path}: ${show(redactValue(c.path, c.live))} -> ${show(redactValue(c.path, c.desired))}${marks ? ` ${marks}` : ''}`;
    return r.refused.includes(c) || c.destructive ? paint('red', line) : line;
  });
  if (r.explanation) lines.push(`      ${r.explanation}`);
  if (r.error) lines.push(paint('red', `      error: ${r.error.at ? `${r.error.at}: ` : ''}${r.error.code}: ${r.error.message}`));
  if (r.note) lines.push(paint('dim', `      note: ${r.note}`));
  return [...head, ...lines];
}

/** Terraform-like text: one block per resource that is not in sync (or has a decision to explain), then a summary line. */
export function renderPlan(plan: Plan, options: { driftOnly?: boolean; cost?: PlanCostReport; paint?: Paint } = {}): string {
  const paint = options.paint ?? plain;
  const out: string[] = [];
  const actionsOf = new Map(plan.actions.map((a) => [a.id, a]));
  // In-sync resources show only to explain a decision (e.g. why the replica count holds).
  const shown = plan.resources.filter((r) => (r.status !== 'in-sync' && r.status !== 'suspended') || r.explanation);
  const listed = options.driftOnly ? shown.filter(isDrift) : shown;
  for (const r of listed) {
    const status = options.driftOnly && driftOf(r) === 'missing' ? 'missing' : r.status;
    const head = `  ${SYMBOL[r.status]} ${r.key}  (${status}${r.mode !== 'enforce' ? `, ${r.mode} mode` : ''}${r.target !== undefined ? `, target ${r.target}` : ''})`;
    const colour = options.driftOnly ? 'yellow' : COLOUR[r.status];
    out.push(colour ? paint(colour, head) : head);
    out.push(...changeLines(r, options.driftOnly === true, paint));
    const delta = deltaOf(options.cost?.cost, r.key);
    if (delta) out.push(`      cost: ${delta}`);
    for (const id of r.actions) {
      const a = actionsOf.get(id);
      if (a) out.push(`      → ${a.summary}: ${a.calls.map((c) => c.operation).join(', ') || 'no call'} [disrupts: ${describeDisruption(a.disruption)}]`);
    }
  }
  const count = (s: ResourceStatus) => plan.resources.filter((r) => r.status === s).length;
  if (!listed.some((r) => r.status !== 'in-sync')) out.push(options.driftOnly ? 'No drift: live resources match the manifests.' : 'No changes: live resources match the manifests.');
  out.push(
    '',
    `Plan: ${count('create')} to create, ${count('update') + count('adopt')} to update, ${plan.resources.filter((r) => r.status === 'prune' && r.actions.length > 0).length} to delete; ` +
      `${count('in-sync')} in sync, ${count('pending')} pending, ${count('unmanaged')} unmanaged, ${count('prune')} owned but not in manifests, ` +
      `${count('error')} errors, ${count('suspended')} suspended; ${plan.actions.reduce((n, a) => n + a.calls.length, 0)} write calls.`,
  );
  if (options.cost) out.push(costLine(options.cost));
  return `${out.join('\n')}\n`;
}

/** The plan's total monthly delta and where its prices come from, or why it has none. */
export function costLine(report: PlanCostReport): string {
  if (!report.cost) return `Cost: not shown (${report.note ?? 'no prices'}).`;
  const unpriced = report.cost.unpriced.length > 0 ? `; not priced: ${report.cost.unpriced.join(', ')}` : '';
  return `Cost: ${formatDelta(report.cost.total)} in total${unpriced}. Prices: ${report.source}.`;
}
