import type { ResourceError } from '../engine/types.js';
import type { Manifest, Mode } from '../schema/index.js';
import type { ApplyResult } from '../apply/index.js';
import type { Plan } from '../plan/types.js';
import { driftOf, type DriftKind } from '../plan/drift.js';
import { describeDisruption } from '../plan/disruption.js';
import { redactValue } from '../report/redact.js';
import type { ReconcileReport } from '../report/notify.js';
import { deltaOf, type PlanCostReport } from '../cost/index.js';
import { manifestDigest } from '../seen/index.js';

export interface ResourceStatusEntry {
  key: string;
  /** The Target it is applied in; absent for the default target. */
  target?: string;
  status: string;
  mode: Mode;
  changes: { path: string; live: unknown; desired: unknown; pending?: boolean; scaling?: boolean; reason?: string }[];
  lastError?: { code: string; message: string; at?: string };
  lastAppliedAt?: string;
  /** missing, ownership-lost or changed: what was done outside Git, as last seen. */
  drift?: DriftKind;
  /** Why nothing (or not everything) was done: ownership lost, detect mode, a refusal. */
  note?: string;
  /** A decision the live state led to, e.g. the read replica scaler's. */
  explanation?: string;
  /** While `progressing`: applied at `since`, given up on at `deadline`, and the last health read. */
  progress?: { since: string; deadline: string; reason: string };
  /** Set while suspended at runtime (`ballast suspend`): since when, until when, why. */
  suspension?: { since: string; until?: string; reason?: string };
}

/** The progress of a resource still becoming healthy, if it is. */
export type ProgressOf = (key: string) => ResourceStatusEntry['progress'] | undefined;

/** What one reconcile did to each resource: the report's parts, the /status entries and the drift counts. */
export interface ResourceAccount extends Pick<ReconcileReport, 'drift' | 'applied' | 'failures'> {
  resources: ResourceStatusEntry[];
  /** Resources now as their manifest says (applied or in sync), with its digest: tells a later Git change from drift. */
  converged: [string, string][];
}

/**
 * Sorts each resource of a reconcile into drift (made outside Git), applied (from Git) and failures. `reconciled`
 * holds the digest of each resource's manifest as last seen in place (src/seen): a difference right after its manifest changed is a change
 * to apply, and a missing resource never seen in place is a create, not a deletion by hand.
 */
export function accountResources(
  plan: Plan,
  result: ApplyResult,
  input: { manifests: Map<string, Manifest>; reconciled: ReadonlyMap<string, string>; cost?: PlanCostReport; now: string; progress: ProgressOf },
): ResourceAccount {
  const outcomes = new Map(result.actions.map((a) => [a.id, a]));
  const out: ResourceAccount = { drift: [], applied: [], failures: [], resources: [], converged: [] };
  for (const r of plan.resources) {
    const done = r.actions.length > 0 && r.actions.every((id) => outcomes.get(id)?.state === 'done');
    const failed = r.actions.map((id) => outcomes.get(id)).find((o) => o && o.state !== 'done');
    const health = result.health.find((h) => h.key === r.key && !h.steady && !h.progressing);
    // Unhealthy after the apply is not retried: the change is sent, and the next Git change or drift scan looks again.
    const unhealthy = health ? { code: health.timedOut ? 'HealthTimeout' : 'Unhealthy', message: health.reason, terminal: true } : undefined;
    const error: ResourceError | undefined = r.error ?? failed?.error ?? unhealthy;
    const progress = input.progress(r.key);
    const last = input.reconciled.get(r.key);
    const manifest = input.manifests.get(r.key);
    const fromGit = last !== undefined && (manifest === undefined || last !== manifestDigest(manifest));
    const kind = driftOf(r);
    const drift = kind === 'missing' && last === undefined ? undefined : fromGit && kind !== 'ownership-lost' ? undefined : kind;
    const mode = r.mode === 'detect' ? 'detect' : 'enforce';
    const placed = r.target !== undefined ? { target: r.target } : {};
    if (drift === 'missing') out.drift.push({ key: r.key, ...placed, path: '(deleted)', live: null, desired: null, mode, corrected: done, event: 'deleted' });
    if (drift === 'ownership-lost') {
      out.drift.push({ key: r.key, ...placed, path: '(ownership)', live: null, desired: null, mode, corrected: false, event: 'ownership-lost', note: r.note });
    }
    if (drift === 'changed' || drift === 'ownership-lost') {
      // Scaling changes (replicas following traffic) are decisions, not drift.
      for (const c of r.changes.filter((x) => !x.pending && !x.scaling)) {
        out.drift.push({ key: r.key, ...placed, path: c.path, live: c.live, desired: c.desired, mode, corrected: done && !c.unfixable && !r.refused.includes(c) && !c.waitsFor });
      }
    }
    // A reverted drift is already told by the drift message; "applied" is for changes that came from Git.
    if (done && drift === undefined) {
      const planned = plan.actions.filter((a) => r.actions.includes(a.id));
      const delta = deltaOf(input.cost?.cost, r.key);
      const disruption = planned.filter((a) => a.disruption.level !== 'none').map((a) => describeDisruption(a.disruption));
      out.applied.push({
        key: r.key,
        ...placed,
        summary: planned.map((a) => a.summary).join('; '),
        operations: planned.flatMap((a) => a.calls.map((c) => c.operation)),
        changes: r.changes.filter((c) => !c.pending).map(({ path, live, desired }) => ({ path, live, desired })),
        ...(delta ? { cost: delta } : {}),
        ...(disruption.length > 0 ? { disruption: disruption.join('; ') } : {}),
      });
    }
    const at = error?.at ? `${error.at}: ` : '';
    if (error) out.failures.push({ key: r.key, ...placed, code: error.code, message: `${at}${error.message}`, terminal: error.terminal });
    if (r.refused.length > 0) out.failures.push({ key: r.key, ...placed, code: 'Refused', message: r.note ?? 'destructive change refused', terminal: true });
    out.resources.push({
      key: r.key,
      ...placed,
      status: progress && !error ? 'progressing' : r.status,
      mode: r.mode,
      changes: r.changes.map((c) => ({ path: c.path, live: redactValue(c.path, c.live), desired: redactValue(c.path, c.desired), pending: c.pending, scaling: c.scaling, reason: c.reason })),
      lastError: error ? { code: error.code, message: error.message, ...(error.at ? { at: error.at } : {}) } : undefined,
      lastAppliedAt: done ? input.now : undefined,
      explanation: r.explanation,
      drift,
      note: r.note,
      ...(progress && !error ? { progress } : {}),
    });
    if (manifest && (done || r.status === 'in-sync')) out.converged.push([r.key, manifestDigest(manifest)]);
  }
  return out;
}
