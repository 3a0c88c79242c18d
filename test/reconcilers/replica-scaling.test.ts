import { describe, expect, it } from 'vitest';
import { decideReplicas, type ReplicaScalingInput } from '../../src/reconcilers/db-instance/replica-scaling.js';

const now = new Date('2026-11-25T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

/** shop-db's range: 1..3 replicas at 60% CPU, 300 s to scale out again, 1800 s before scaling in. */
const decide = (input: Partial<ReplicaScalingInput>) =>
  decideReplicas({
    current: 1,
    min: 1,
    max: 3,
    target: 60,
    metricValue: undefined,
    metric: 'CPUUtilization',
    now,
    scaleOutCooldownSeconds: 300,
    scaleInCooldownSeconds: 1800,
    ...input,
  });

describe('decideReplicas', () => {
  it('adds the replicas that bring the average back to the target: ceil(current * value / target)', () => {
    expect(decide({ current: 1, metricValue: 90 })).toEqual({ desired: 2, reason: 'CPUUtilization 90 vs target 60: 1 -> 2' });
    expect(decide({ current: 2, metricValue: 85, lastScaleOut: ago(600) })).toEqual({ desired: 3, reason: 'CPUUtilization 85 vs target 60: 2 -> 3' });
  });

  it('never goes above max, however high the metric', () => {
    expect(decide({ current: 2, metricValue: 95, lastScaleOut: ago(600) })).toEqual({
      desired: 3,
      reason: 'CPUUtilization 95 vs target 60: 2 -> 3 (4 capped at max 3)',
    });
    expect(decide({ current: 3, metricValue: 100 })).toEqual({ desired: 3, reason: 'CPUUtilization 100 vs target 60: holding 3 (5 capped at max 3)' });
  });

  it('removes replicas down to min once the scale-in cooldown has passed since the last change', () => {
    expect(decide({ current: 3, metricValue: 10, lastScaleOut: ago(3600) })).toEqual({
      desired: 1,
      reason: 'CPUUtilization 10 vs target 60: 3 -> 1',
    });
    expect(decide({ current: 3, metricValue: 10, min: 0, lastScaleOut: ago(3600) }).desired).toBe(1);
    // Rounding up keeps the last replica while it carries any load: its reads would land on the primary.
    expect(decide({ current: 1, metricValue: 5, min: 0, lastScaleIn: ago(3600) }).desired).toBe(1);
  });

  it('holds inside a cooldown and says which one', () => {
    expect(decide({ current: 3, metricValue: 10, lastScaleOut: ago(600) })).toEqual({
      desired: 3,
      reason: 'CPUUtilization 10 vs target 60: wants 3 -> 1, held by the scale-in cooldown (1800s; last scaling 600s ago)',
    });
    // A recent scale-in also holds the next scale-in.
    expect(decide({ current: 3, metricValue: 10, lastScaleOut: ago(7200), lastScaleIn: ago(60) }).desired).toBe(3);
    expect(decide({ current: 2, metricValue: 90, lastScaleOut: ago(120) })).toEqual({
      desired: 2,
      reason: 'CPUUtilization 90 vs target 60: wants 2 -> 3, held by the scale-out cooldown (300s; last scaling 120s ago)',
    });
    // Scaling out is only held by the last scale-out: a recent scale-in does not delay the answer to a spike.
    expect(decide({ current: 2, metricValue: 90, lastScaleOut: ago(7200), lastScaleIn: ago(10) }).desired).toBe(3);
  });

  it('never stays below min or above max, cooldown or not', () => {
    expect(decide({ current: 0, metricValue: 5, lastScaleIn: ago(1) })).toEqual({ desired: 1, reason: '0 replicas is outside min 1 / max 3: 0 -> 1' });
    expect(decide({ current: 5, metricValue: 90, lastScaleOut: ago(1) })).toEqual({ desired: 3, reason: '5 replicas is outside min 1 / max 3: 5 -> 3' });
  });

  it('holds the count when there is no metric data', () => {
    expect(decide({ current: 2 })).toEqual({ desired: 2, reason: 'no CPUUtilization data over the window: holding 2' });
  });

  it('does not move within 10% of the target, so it never flaps around it', () => {
    for (const metricValue of [54, 60, 66]) expect(decide({ current: 2, metricValue }).desired).toBe(2);
    expect(decide({ current: 2, metricValue: 66 }).reason).toBe('CPUUtilization 66 vs target 60 is within 10% of it: holding 2');
    expect(decide({ current: 2, metricValue: 67 }).desired).toBe(3);
    expect(decide({ current: 2, metricValue: 53, lastScaleOut: ago(3600) }).desired).toBe(2);
  });

  it('with no replicas follows the primary: scales out from zero on load, stays at zero without', () => {
    expect(decide({ current: 0, min: 0, metricValue: 90 }).desired).toBe(2);
    expect(decide({ current: 0, min: 0, metricValue: 10 })).toEqual({ desired: 0, reason: 'CPUUtilization 10 vs target 60: holding 0' });
  });
});
