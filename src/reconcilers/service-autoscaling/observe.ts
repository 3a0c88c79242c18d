import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  type ScalableTarget,
  type ScalingPolicy,
  type ScheduledAction,
} from '@aws-sdk/client-application-auto-scaling';
import type { ServiceAutoscaling } from '../../schema/index.js';
import type { Observation, ObserveContext, ResourceError } from '../../engine/types.js';
import { errorOf } from '../../observe/index.js';
import { chunks } from '../../aws/batch.js';
import {
  actionName,
  DIMENSION,
  NAMESPACE,
  policyName,
  resourceIdOf,
  SLOTS,
  type LivePolicy,
  type LiveScheduledAction,
  type LiveServiceAutoscaling,
} from './model.js';

/** API limits: ResourceIds and PolicyNames per call, and the page sizes each read allows. */
export const TARGET_BATCH = 50;
const POLICY_BATCH = 50;
const POLICY_PAGE = 10;
const ACTION_PAGE = 50;
/** What AWS applies to an ECS target-tracking policy that leaves these out. */
const DEFAULT_COOLDOWN = 300;

type Result = Observation<LiveServiceAutoscaling>;

/** Reads items in batches; a failed batch marks its own items failed and leaves the others alone. */
async function readInBatches<T, R>(items: T[], size: number, read: (batch: T[]) => Promise<R[]>) {
  const found: R[] = [];
  const failed = new Map<T, ResourceError>();
  await Promise.all(
    chunks(items, size).map(async (batch) => {
      try {
        found.push(...(await read(batch)));
      } catch (err) {
        const error = errorOf(err);
        for (const item of batch) failed.set(item, error);
      }
    }),
  );
  return { found, failed };
}

/** Follows NextToken until the last page. */
async function allPages<R>(read: (NextToken: string | undefined) => Promise<{ items: R[]; next?: string }>): Promise<R[]> {
  const out: R[] = [];
  let token: string | undefined;
  do {
    const page = await read(token);
    out.push(...page.items);
    token = page.next || undefined;
  } while (token);
  return out;
}

/**
 * At most 50 ResourceIds with one dimension give at most 50 targets, so MaxResults 50 never needs a second page
 * (which is as well: the emulator's NextToken for this call repeats itself after page two).
 */
export function describeTargets(ctx: ObserveContext, resourceIds: string[]): Promise<ScalableTarget[]> {
  return ctx.limit('autoscaling', async () => {
    const out = await ctx.aws.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: NAMESPACE, ScalableDimension: DIMENSION, ResourceIds: resourceIds, MaxResults: TARGET_BATCH }),
    );
    return out.ScalableTargets ?? [];
  });
}

function describePolicies(ctx: ObserveContext, names: string[]): Promise<ScalingPolicy[]> {
  return allPages(async (NextToken) => {
    const out = await ctx.limit('autoscaling', () =>
      ctx.aws.autoscaling.send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: NAMESPACE, ScalableDimension: DIMENSION, PolicyNames: names, MaxResults: POLICY_PAGE, NextToken }),
      ),
    );
    return { items: out.ScalingPolicies ?? [], next: out.NextToken };
  });
}

/**
 * Lists the namespace's scheduled actions rather than asking by name: an action named `<name>-…` that the
 * manifest no longer states must be seen to be deleted, and names cannot find what the manifest does not name.
 */
async function describeActions(ctx: ObserveContext): Promise<{ found: ScheduledAction[] } | { error: ResourceError }> {
  try {
    const found = await allPages(async (NextToken) => {
      const out = await ctx.limit('autoscaling', () =>
        ctx.aws.autoscaling.send(
          new DescribeScheduledActionsCommand({ ServiceNamespace: NAMESPACE, ScalableDimension: DIMENSION, MaxResults: ACTION_PAGE, NextToken }),
        ),
      );
      return { items: out.ScheduledActions ?? [], next: out.NextToken };
    });
    return { found };
  } catch (err) {
    return { error: errorOf(err) };
  }
}

function livePolicy(p: ScalingPolicy): LivePolicy {
  const t = p.TargetTrackingScalingPolicyConfiguration;
  return {
    metric: t?.PredefinedMetricSpecification?.PredefinedMetricType,
    targetValue: t?.TargetValue,
    scaleInCooldown: t?.ScaleInCooldown ?? DEFAULT_COOLDOWN,
    scaleOutCooldown: t?.ScaleOutCooldown ?? DEFAULT_COOLDOWN,
    disableScaleIn: t?.DisableScaleIn ?? false,
  };
}

function liveAction(a: ScheduledAction, prefix: string): LiveScheduledAction {
  return {
    name: a.ScheduledActionName!.slice(prefix.length),
    schedule: a.Schedule ?? '',
    timezone: a.Timezone ?? 'UTC',
    ...(a.ScalableTargetAction?.MinCapacity !== undefined ? { minTasks: a.ScalableTargetAction.MinCapacity } : {}),
    ...(a.ScalableTargetAction?.MaxCapacity !== undefined ? { maxTasks: a.ScalableTargetAction.MaxCapacity } : {}),
  };
}

const policyKey = (resourceId: string, name: string) => `${resourceId}\t${name}`;

/**
 * Three batched reads for all manifests: targets (50 ResourceIds a call), policies (50 names a call, 10 a page)
 * and, only when some manifest states scheduledActions, the namespace's scheduled actions.
 *
 * Ownership: Application Auto Scaling has no tags (and the emulator implements no TagResource), so a target is
 * owned when the ECS service it scales is Ballast's, i.e. an EcsService of this revision. resourceIdOf already
 * requires that, so every target found here is owned.
 */
export async function observeAutoscaling(manifests: ServiceAutoscaling[], ctx: ObserveContext): Promise<Map<string, Result>> {
  const results = new Map<string, Result>();
  const ids = new Map<ServiceAutoscaling, string>();
  for (const m of manifests) {
    try {
      ids.set(m, resourceIdOf(m, ctx));
    } catch (err) {
      results.set(m.metadata.name, { state: 'error', error: errorOf(err) });
    }
  }
  const wanted = [...ids.keys()];
  // A manifest that leaves scheduledActions out does not manage them; `scheduledActions: []` removes them all.
  const managesActions = (m: ServiceAutoscaling) => m.spec.scheduledActions !== undefined;

  const [targets, policies, actions] = await Promise.all([
    readInBatches([...ids.values()], TARGET_BATCH, (batch) => describeTargets(ctx, batch)),
    readInBatches(wanted.flatMap((m) => SLOTS.map((slot) => policyName(m, slot))), POLICY_BATCH, (batch) => describePolicies(ctx, batch)),
    wanted.some(managesActions) ? describeActions(ctx) : undefined,
  ]);
  const targetOf = new Map(targets.found.map((t) => [t.ResourceId, t]));
  // The emulator ignores PolicyNames and answers with every policy of the namespace: keep only the ones asked for.
  const policyOf = new Map(policies.found.map((p) => [policyKey(p.ResourceId!, p.PolicyName!), p]));

  for (const m of wanted) {
    const resourceId = ids.get(m)!;
    const error =
      targets.failed.get(resourceId) ??
      SLOTS.map((slot) => policies.failed.get(policyName(m, slot))).find((e) => e !== undefined) ??
      (actions && 'error' in actions && managesActions(m) ? actions.error : undefined);
    const target = targetOf.get(resourceId);
    if (error) results.set(m.metadata.name, { state: 'error', error });
    else if (!target) results.set(m.metadata.name, { state: 'missing' });
    else {
      const live: LiveServiceAutoscaling = { resourceId, minTasks: target.MinCapacity, maxTasks: target.MaxCapacity };
      for (const slot of SLOTS) {
        const p = policyOf.get(policyKey(resourceId, policyName(m, slot)));
        if (p) live[slot] = livePolicy(p);
      }
      if (actions && 'found' in actions && managesActions(m)) {
        const prefix = actionName(m, '');
        live.scheduledActions = actions.found
          .filter((a) => a.ResourceId === resourceId && a.ScheduledActionName?.startsWith(prefix))
          .map((a) => liveAction(a, prefix));
      }
      results.set(m.metadata.name, { state: 'found', live, owned: true });
    }
  }
  return results;
}
