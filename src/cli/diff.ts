import { driftOf, DRIFT_LABEL } from '../plan/drift.js';
import { redactValue, show } from '../report/redact.js';
import { planJson } from '../report/plan-json.js';
import { writeJson, type Io } from './io.js';
import { openTargets, planRevision, validRevision } from './plan.js';
import type { AwsCommandOptions } from './settings.js';

/** `ballast diff Kind/name`: exit 0 when live matches the manifest, 2 when it differs, 1 on error. */
export async function diffCommand(key: string, path: string, options: AwsCommandOptions, io: Io): Promise<number> {
  const revision = await validRevision(path, options, io);
  if (!revision) return 1;
  const sessions = openTargets(options);
  const session = sessions.base;
  const started = Date.now();
  const { plan } = await planRevision(revision, { ...options, target: [key] }, sessions);
  const r = plan.resources.find((x) => x.key === key)!;
  const differs = r.status === 'create' || r.status === 'unmanaged' || r.changes.length > 0;
  if (options.output === 'json') {
    const json = planJson({ resources: [r], actions: plan.actions.filter((a) => a.key === key) }, session, started);
    writeJson(io, { ...json.resources[0], actions: json.actions, calls: json.calls });
  } else {
    const lines = [`${key} (${r.status}${r.mode !== 'enforce' ? `, ${r.mode} mode` : ''})`];
    const kind = driftOf(r);
    if (r.status === 'create') lines.push(`  live: nothing (${DRIFT_LABEL.missing})`);
    else if (kind === 'ownership-lost') lines.push(`  ${DRIFT_LABEL[kind]}`);
    for (const c of r.changes) {
      lines.push(`  ${c.path}${c.pending ? ' (pending at AWS)' : ''}`);
      lines.push(`    live:    ${show(redactValue(c.path, c.live), 4000)}`);
      lines.push(`    desired: ${show(redactValue(c.path, c.desired), 4000)}`);
    }
    if (r.error) lines.push(`  error: ${r.error.code}: ${r.error.message}`);
    if (r.note) lines.push(`  note: ${r.note}`);
    if (!differs && !r.error) lines.push('  live matches the manifest');
    io.stdout(`${lines.join('\n')}\n`);
  }
  if (r.status === 'error') return 1;
  return differs ? 2 : 0;
}
