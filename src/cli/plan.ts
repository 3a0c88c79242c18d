import { loadRevision, type Revision } from '../validate/index.js';
import { formatProblem } from '../problem.js';
import { RECONCILERS } from '../reconcilers/index.js';
import { hasChanges, type Plan } from '../plan/types.js';
import { renderPlan } from '../report/plan-text.js';
import { isDrift } from '../plan/drift.js';
import { planJson } from '../report/plan-json.js';
import { revisionOf } from './revision.js';
import { paintOf, writeJson, type Io, type OutputFormat } from './io.js';
import type { AwsCommandOptions } from './settings.js';
import { openSession, type SessionOptions } from '../observe/context.js';
import { TargetSessions } from '../targets/sessions.js';
import { planTargets, type PlannedTargets } from '../targets/each.js';
import { selectTargets } from '../plan/target.js';
import { pruneRefusal } from '../plan/prune-guard.js';
import { pinErrorsInSource } from '../report/locate.js';
import { costOfTargets } from '../targets/cost.js';
import { renderPlanMarkdown, renderProblemsMarkdown } from '../report/plan-markdown.js';
import { cacheFromEnv } from '../cache/index.js';

/** `plan` can also write a pull-request comment. */
export type PlanOutputFormat = OutputFormat | 'markdown';

/** Loads and validates; on problems prints them and returns undefined (nothing of an invalid revision is used). */
export async function validRevision(path: string, options: { output: PlanOutputFormat }, io: Io): Promise<Revision | undefined> {
  const revision = await loadRevision(path);
  if (revision.problems.length === 0) return revision;
  if (options.output === 'json') writeJson(io, { valid: false, problems: revision.problems }, await revisionOf(path));
  else if (options.output === 'markdown') io.stdout(renderProblemsMarkdown(revision.problems));
  else for (const p of revision.problems) io.stderr(`${formatProblem(p)}\n`);
  return undefined;
}

/**
 * The sessions of a command: its own credentials for the default target, and each Target's role; all share the
 * cache folder (its keys are revision ARNs, which name account and region).
 */
export const openTargets = (options: Pick<AwsCommandOptions, 'controllerId' | 'retryMode' | 'maxAttempts' | 'awsTimeout' | 'concurrency'> & Pick<SessionOptions, 'store'>) =>
  new TargetSessions(openSession(options), options);

/** Plans every target of the revision (src/targets), each in its own account and region. */
export async function planRevision(
  revision: Revision,
  options: Pick<AwsCommandOptions, 'mode' | 'prune' | 'target' | 'controllerId'> & { controllerIdStated?: boolean },
  sessions: TargetSessions,
): Promise<PlannedTargets> {
  const only = options.target ? selectTargets(options.target, revision.manifests, RECONCILERS) : undefined;
  const planned = await planTargets(revision.manifests, sessions, RECONCILERS, { defaultMode: options.mode, prune: options.prune, pruneRefusal: pruneRefusal(options), only });
  pinErrorsInSource(planned.plan, revision.documents);
  return planned;
}

export function hasErrors(plan: Plan): boolean {
  return plan.resources.some((r) => r.status === 'error');
}

export interface PlanCommandOptions extends Omit<AwsCommandOptions, 'output'> {
  output: PlanOutputFormat;
  detailedExitcode: boolean;
  prices?: string;
}

export async function planCommand(path: string, options: PlanCommandOptions, io: Io): Promise<number> {
  const revision = await validRevision(path, options, io);
  if (!revision) return 1;
  const sessions = openTargets({ ...options, store: cacheFromEnv(io.env) });
  const session = sessions.base;
  const started = Date.now();
  const planned = await planRevision(revision, options, sessions);
  const { plan } = planned;
  const cost = await costOfTargets(planned, revision.manifests, await session.aws.region(), options.prices);
  if (options.output === 'json') writeJson(io, planJson(plan, session, started, cost), await revisionOf(path));
  else if (options.output === 'markdown') io.stdout(renderPlanMarkdown(plan, { cost }));
  else io.stdout(renderPlan(plan, { cost, paint: paintOf(io) }));
  if (hasErrors(plan)) return 1;
  return options.detailedExitcode && hasChanges(plan) ? 2 : 0;
}

export async function driftCommand(path: string, options: AwsCommandOptions, io: Io): Promise<number> {
  const revision = await validRevision(path, options, io);
  if (!revision) return 1;
  const sessions = openTargets({ ...options, store: cacheFromEnv(io.env) });
  const started = Date.now();
  const { plan } = await planRevision(revision, options, sessions);
  const session = sessions.base;
  const drifted = plan.resources.filter(isDrift);
  if (options.output === 'json') writeJson(io, planJson(plan, session, started, undefined, { missingIsDrift: true }), await revisionOf(path));
  else io.stdout(renderPlan(plan, { driftOnly: true, paint: paintOf(io) }));
  if (hasErrors(plan)) return 1;
  return drifted.length > 0 ? 2 : 0;
}
