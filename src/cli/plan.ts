import { loadRevision, type Revision } from '../validate/index.js';
import { formatProblem } from '../problem.js';
import { observeAndPlan } from '../engine/pipeline.js';
import { RECONCILERS } from '../reconcilers/index.js';
import { hasChanges, type Plan } from '../plan/types.js';
import { isDrift, renderPlan } from '../report/plan-text.js';
import { planJson } from '../report/plan-json.js';
import type { Session } from '../observe/context.js';
import { writeJson, type Io, type OutputFormat } from './io.js';
import type { AwsCommandOptions } from './settings.js';
import { openSession } from '../observe/context.js';
import { cacheFromEnv } from '../cache/index.js';

/** Loads and validates; on problems prints them and returns undefined (nothing of an invalid revision is used). */
export async function validRevision(path: string, options: { output: OutputFormat }, io: Io): Promise<Revision | undefined> {
  const revision = await loadRevision(path);
  if (revision.problems.length === 0) return revision;
  if (options.output === 'json') writeJson(io, { valid: false, problems: revision.problems });
  else for (const p of revision.problems) io.stderr(`${formatProblem(p)}\n`);
  return undefined;
}

export async function planRevision(revision: Revision, options: AwsCommandOptions, session: Session) {
  return observeAndPlan(revision.manifests, session, RECONCILERS, { defaultMode: options.mode, prune: options.prune });
}

export function hasErrors(plan: Plan): boolean {
  return plan.resources.some((r) => r.status === 'error');
}

export async function planCommand(path: string, options: AwsCommandOptions & { detailedExitcode: boolean }, io: Io): Promise<number> {
  const revision = await validRevision(path, options, io);
  if (!revision) return 1;
  const session = openSession({ ...options, store: cacheFromEnv(io.env) });
  const started = Date.now();
  const { plan } = await planRevision(revision, options, session);
  if (options.output === 'json') writeJson(io, planJson(plan, session, started));
  else io.stdout(renderPlan(plan));
  if (hasErrors(plan)) return 1;
  return options.detailedExitcode && hasChanges(plan) ? 2 : 0;
}

export async function driftCommand(path: string, options: AwsCommandOptions, io: Io): Promise<number> {
  const revision = await validRevision(path, options, io);
  if (!revision) return 1;
  const session = openSession({ ...options, store: cacheFromEnv(io.env) });
  const started = Date.now();
  const { plan } = await planRevision(revision, options, session);
  const drifted = plan.resources.filter(isDrift);
  if (options.output === 'json') writeJson(io, { ...planJson(plan, session, started), drift: drifted.map((r) => r.key) });
  else io.stdout(renderPlan(plan, { driftOnly: true }));
  if (hasErrors(plan)) return 1;
  return drifted.length > 0 ? 2 : 0;
}
