import type { Plan, ResourcePlan } from '../plan/types.js';
import { formatProblem, type Problem } from '../problem.js';
import { deltaOf, type PlanCostReport } from '../cost/index.js';
import { redactValue, show } from './redact.js';
import { costLine, renderPlan } from './plan-text.js';
import { describeDisruption, worst, type Disruption, type DisruptionLevel } from '../plan/disruption.js';

/** GitHub refuses a comment body over 65,536 characters; the rest of the room is kept for the summary lines. */
export const COMMENT_LIMIT = 65_536;
/** A hidden marker that finds Ballast's own comment again, so each push updates one comment instead of adding more. */
export const COMMENT_MARKER = '<!-- ballast-plan -->';
const MAX_VALUE = 120;

/** Text inside `code`: a backtick would end it early, and GitHub does not unescape inside code spans. */
const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/\n/g, ' ')}\``;
/** Text outside code: characters that Markdown or HTML would act on are escaped (a lone ">" mid-line is harmless). */
const plain = (text: string) => text.replace(/[\\`*_[\]<|#]/g, (c) => `\\${c}`);

const changed = (r: ResourcePlan) => (r.status !== 'in-sync' && r.status !== 'suspended') || r.refused.length > 0;

/** A mark per disruption level; deletes is left to the prune mark, the only resource status that deletes. */
const DISRUPTION_MARK: Record<DisruptionLevel, string> = {
  none: '',
  'rolls tasks': '🔁 rolls tasks',
  'brief outage': '⏸️ brief outage',
  'restarts DB': '🔄 restarts DB',
  replaces: '♻️ replaces',
  deletes: '',
};
/** What a reviewer must look at before the routine changes: a DB down or failing over, a resource replaced. */
const STOPS: DisruptionLevel[] = ['brief outage', 'restarts DB', 'replaces', 'deletes'];

/** The worst disruption among a resource's actions. */
function disruptionOf(r: ResourcePlan, plan: Plan): Disruption {
  const ids = new Set(r.actions);
  return worst(plan.actions.filter((a) => ids.has(a.id)).map((a) => a.disruption));
}

function first(r: ResourcePlan, plan: Plan): boolean {
  return r.refused.length > 0 || r.status === 'prune' || r.changes.some((c) => c.destructive) || STOPS.includes(disruptionOf(r, plan).level);
}

function resourceBlock(r: ResourcePlan, plan: Plan, cost: PlanCostReport | undefined): string {
  const marks = [
    r.refused.length > 0 ? '⛔ refused' : '',
    r.status === 'prune' ? (r.actions.length > 0 ? '🗑️ delete' : '🗑️ owned but in no manifest') : '',
    r.changes.some((c) => c.destructive) && r.refused.length === 0 ? '⚠️ destructive' : '',
    DISRUPTION_MARK[disruptionOf(r, plan).level],
    r.error ? '❌ error' : '',
  ].filter(Boolean);
  const delta = deltaOf(cost?.cost, r.key);
  const head = `- **${plain(r.key)}** (${r.status}${r.mode !== 'enforce' ? `, ${r.mode} mode` : ''})${marks.length > 0 ? ` ${marks.join(' ')}` : ''}${delta ? ` · ${plain(delta)}` : ''}`;
  const lines = [head];
  for (const c of r.changes) {
    const notes = [
      c.pending ? 'pending at AWS' : '',
      c.destructive ? `destructive: ${c.destructive}` : '',
      c.scaling ? `scaling: ${c.reason ?? 'follows traffic'}` : '',
      c.unfixable ? `not fixable by a call: ${c.unfixable}` : '',
    ].filter(Boolean);
    const value = (v: unknown) => code(show(redactValue(c.path, v), MAX_VALUE));
    lines.push(`  - ${code(c.path)}: ${value(c.live)} → ${value(c.desired)}${notes.length > 0 ? ` _(${plain(notes.join('; '))})_` : ''}`);
  }
  const actions = new Map(plan.actions.map((a) => [a.id, a]));
  for (const id of r.actions) {
    const a = actions.get(id);
    const disrupts = a && a.disruption.level !== 'none' ? ` · disrupts: ${plain(describeDisruption(a.disruption))}` : '';
    if (a) lines.push(`  - → ${plain(a.summary)}: ${a.calls.map((c) => c.operation).join(', ') || 'no call'}${disrupts}`);
  }
  if (r.error) lines.push(`  - error: ${code(`${r.error.code}: ${r.error.message}`)}`);
  if (r.note) lines.push(`  - note: ${plain(r.note)}`);
  return lines.join('\n');
}

/** The summary line: what the plan does, in counts, and what it costs. */
function summary(plan: Plan, cost: PlanCostReport | undefined): string {
  const count = (f: (r: ResourcePlan) => boolean) => plan.resources.filter(f).length;
  const parts = [
    `${count((r) => r.status === 'create')} to create`,
    `${count((r) => r.status === 'update' || r.status === 'adopt')} to update`,
    `${count((r) => r.status === 'prune' && r.actions.length > 0)} to delete`,
  ];
  const refused = count((r) => r.refused.length > 0);
  const errors = count((r) => r.status === 'error');
  if (refused > 0) parts.push(`**${refused} refused**`);
  const stops = count((r) => r.status !== 'prune' && STOPS.includes(disruptionOf(r, plan).level));
  if (stops > 0) parts.push(`**${stops} restart${stops === 1 ? 's' : ''} or replace${stops === 1 ? 's' : ''}**`);
  if (errors > 0) parts.push(`**${errors} could not be planned**`);
  const money = cost?.cost ? ` · ${plain(costLine(cost).replace(/^Cost: /, '').replace(/ in total.*$/, ''))}` : '';
  return `### Ballast plan: ${parts.join(', ')}${money}`;
}

/**
 * A pull-request comment body: the summary line, refused, destructive and disruptive changes (a DB restart or
 * failover, a replacement) first, then every other change, each with its disruption and cost delta, and the full
 * text plan folded away. Within GitHub's comment limit: resources beyond the
 * room are counted instead of listed, and the folded plan is cut first.
 */
export function renderPlanMarkdown(plan: Plan, options: { cost?: PlanCostReport; limit?: number } = {}): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const shown = plan.resources.filter(changed);
  const top = shown.filter((r) => first(r, plan));
  const rest = shown.filter((r) => !first(r, plan));
  const foot = options.cost ? `\n\n<sub>${plain(costLine(options.cost))}</sub>` : '';
  const head = `${COMMENT_MARKER}\n${summary(plan, options.cost)}\n`;
  // Room for the resource lists: what is left once the header, footer and a fold's frame are counted.
  const frame = '\n\n<details><summary>Full plan</summary>\n\n```text\n\n```\n</details>';
  let room = limit - head.length - foot.length - frame.length - 200;
  const sections: string[] = [];
  let omitted = 0;
  for (const [title, list] of [
    ['#### ⚠️ Refused, destructive and disruptive', top],
    ['#### Changes', rest],
  ] as const) {
    if (list.length === 0) continue;
    const blocks: string[] = [];
    for (const r of list) {
      const block = resourceBlock(r, plan, options.cost);
      if (block.length + 1 > room) {
        omitted += 1;
        continue;
      }
      room -= block.length + 1;
      blocks.push(block);
    }
    if (blocks.length > 0) sections.push(`${title}\n\n${blocks.join('\n')}`);
  }
  if (shown.length === 0) sections.push('No changes: live resources match the manifests.');
  if (omitted > 0) sections.push(`_…and ${omitted} more resource${omitted === 1 ? '' : 's'}: run \`ballast plan\` for all of them._`);
  const body = `${head}\n${sections.join('\n\n')}`;
  const full = renderPlan(plan).replace(/```/g, "'''");
  const fold = limit - body.length - foot.length - frame.length - 100;
  const text = full.length <= fold ? full : `${full.slice(0, Math.max(0, fold))}\n… (cut: the full plan is ${full.length} characters)\n`;
  return `${body}\n\n<details><summary>Full plan</summary>\n\n\`\`\`text\n${text}\`\`\`\n</details>${foot}\n`;
}

/** The comment for a revision that does not validate: nothing of it would be planned or applied. */
export function renderProblemsMarkdown(problems: Problem[]): string {
  const list = problems.slice(0, 200).map((p) => `- ${code(formatProblem(p))}`);
  if (problems.length > 200) list.push(`- _…and ${problems.length - 200} more_`);
  return `${COMMENT_MARKER}\n### Ballast plan: invalid manifests (${problems.length} problem${problems.length === 1 ? '' : 's'})\n\nNothing of this revision would be applied.\n\n${list.join('\n')}\n`;
}
