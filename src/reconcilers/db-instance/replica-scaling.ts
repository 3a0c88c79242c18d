/**
 * When the primary's read replicas last changed in number, kept as tags on the primary (ISO times) so the cooldowns
 * survive restarts and the decision stays level-triggered: it reads them afresh on every reconcile.
 */
export const SCALED_OUT_TAG = 'ballast.dev/replicas-scaled-out-at';
export const SCALED_IN_TAG = 'ballast.dev/replicas-scaled-in-at';
/**
 * How many replicas Ballast last left the primary with: a replica that disappears below it was deleted by hand
 * (drift, put back without starting a cooldown), not a scaler's decision.
 */
export const REPLICAS_TAG = 'ballast.dev/read-replicas';

/** How far (as a fraction of the target) the metric may stray before the count changes: keeps it from flapping. */
const DEAD_BAND = 0.1;

export interface ReplicaScalingInput {
  current: number;
  min: number;
  max: number;
  /** The average per replica to hold. */
  target: number;
  /** The metric's average per replica over the window; undefined when there is no data. */
  metricValue: number | undefined;
  /** Names the metric in the reason, e.g. "CPUUtilization". */
  metric?: string;
  lastScaleOut?: Date;
  lastScaleIn?: Date;
  now: Date;
  scaleOutCooldownSeconds: number;
  scaleInCooldownSeconds: number;
}

export interface ReplicaDecision {
  desired: number;
  /** For people: metric value, target, old -> new, or why the count is held. */
  reason: string;
}

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));
const fmt = (n: number) => String(Number(n.toFixed(1)));
const latest = (a: Date | undefined, b: Date | undefined) => (a && b ? (a > b ? a : b) : (a ?? b));

/**
 * Target tracking for read replicas: the count that brings the average back to the target, ceil(current * value /
 * target), within [min, max]. Scaling out waits for the scale-out cooldown since the last scale-out; scaling in
 * waits for the scale-in cooldown since the last change either way. Bounds apply at once, cooldown or not.
 */
export function decideReplicas(input: ReplicaScalingInput): ReplicaDecision {
  const { current, min, max, target, metricValue, now } = input;
  const metric = input.metric ?? 'metric';
  const bounded = clamp(current, min, max);
  if (bounded !== current) return { desired: bounded, reason: `${current} replicas is outside min ${min} / max ${max}: ${current} -> ${bounded}` };
  if (metricValue === undefined) return { desired: current, reason: `no ${metric} data over the window: holding ${current}` };

  const ratio = metricValue / target;
  const seen = `${metric} ${fmt(metricValue)} vs target ${fmt(target)}`;
  if (Math.abs(metricValue - target) <= target * DEAD_BAND) return { desired: current, reason: `${seen} is within ${DEAD_BAND * 100}% of it: holding ${current}` };

  // With no replicas the metric is the primary's: one replica's worth of load is the base. Rounding up keeps the
  // last replica while it carries any load (its reads would land on the primary).
  const raw = Math.ceil((ratio > 1 ? Math.max(current, 1) : current) * ratio);
  const wanted = clamp(raw, min, max);
  const capped = wanted !== raw ? ` (${raw} capped at ${wanted > raw ? 'min' : 'max'} ${wanted})` : '';
  if (wanted === current) return { desired: current, reason: `${seen}: holding ${current}${capped}` };

  const out = wanted > current;
  const since = out ? input.lastScaleOut : latest(input.lastScaleIn, input.lastScaleOut);
  const cooldown = out ? input.scaleOutCooldownSeconds : input.scaleInCooldownSeconds;
  const waited = since ? Math.floor((now.getTime() - since.getTime()) / 1000) : Infinity;
  if (waited < cooldown) {
    return {
      desired: current,
      reason: `${seen}: wants ${current} -> ${wanted}, held by the scale-${out ? 'out' : 'in'} cooldown (${cooldown}s; last scaling ${waited}s ago)`,
    };
  }
  return { desired: wanted, reason: `${seen}: ${current} -> ${wanted}${capped}` };
}
