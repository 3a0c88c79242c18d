import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useMoto } from '../support/moto.js';
import { reconciled, signedPush, useController } from '../support/controller.js';
import { editManifest, setField } from '../support/manifests.js';
import { HAND_REMOVALS, setThreshold, threshold } from '../support/hand-changes.js';

const moto = useMoto();

/** Reconciles that do not come from a new commit: a rejected revision, drift scans, resources gone or untagged by hand. */
describe('ballast run against a bad commit and hand-made changes', () => {
  const ctl = useController(moto);

  it('rejects an invalid commit: nothing applied, the last good revision stays, one Slack message with file:line', async () => {
    await ctl.start();
    const good = ctl.running.controller.revision?.sha;
    const before = ctl.slack.messages.length;
    await editManifest(path.join(ctl.repo.work, 'desired-state'), 'EcsService/storefront', setField(['spec', 'cpu'], 300));
    await editManifest(path.join(ctl.repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['spec', 'threshold'], 50));
    const bad = await ctl.repo.push('oops');

    const rejected = reconciled(ctl.running.controller, () => ctl.running.controller.badRevision?.sha === bad);
    await signedPush(ctl.running.url);
    const summary = await rejected;
    expect(summary.writes).toBe(0);
    expect(ctl.running.controller.revision?.sha).toBe(good);
    expect(ctl.running.controller.badRevision?.sha).toBe(bad);
    expect(await threshold(ctl.aws, 'storefront-cpu-high')).toBe(85);
    // /status tells an operator which commit was refused and why, next to the one still in force.
    const status = (await (await fetch(`${ctl.running.url}/status`)).json()) as { revision: { sha: string }; rejectedRevision: { sha: string; problems: unknown[] } };
    expect(status.revision.sha).toBe(good);
    expect(status.rejectedRevision.sha).toBe(bad);
    expect(status.rejectedRevision.problems).toContainEqual(
      expect.objectContaining({ file: 'desired-state/services/storefront.yaml', line: 9, col: 8, message: expect.stringContaining('300 is not a Fargate CPU size') }),
    );

    // A later scan of the same bad head says nothing new.
    await ctl.scan();
    const invalid = ctl.slack.messages.slice(before).filter((m) => m.text.includes('Invalid revision'));
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.text).toContain('desired-state/services/storefront.yaml:9:8');
    expect(ctl.slack.messages.slice(before)).toHaveLength(1);
    // Counted once, as the reconcile that rejected it.
    expect(await (await fetch(`${ctl.running.url}/metrics`)).text()).toContain('ballast_reconciles_total{result="invalid"} 1');
  });

  it('reverts hand-made drift at the next drift scan, tells Slack once, and only reports it in detect mode', async () => {
    await ctl.start();
    const before = ctl.slack.messages.length;
    await setThreshold(ctl.aws, 'storefront-cpu-high', 99);
    expect((await ctl.scan()).writes).toBe(1);
    expect(await threshold(ctl.aws, 'storefront-cpu-high')).toBe(85);
    await ctl.slack.received(before + 1);
    expect(ctl.slack.messages[before]!.text).toContain('Alarm/storefront-cpu-high spec.threshold: 99 -> 85 (reverted)');

    // Someone does it again: reverted again, but Slack already knows.
    await setThreshold(ctl.aws, 'storefront-cpu-high', 99);
    expect((await ctl.scan()).writes).toBe(1);
    expect((await ctl.scan()).writes).toBe(0);
    expect(ctl.slack.messages.length).toBe(before + 1);

    await editManifest(path.join(ctl.repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['metadata', 'annotations'], { 'ballast.dev/mode': 'detect' }));
    const detectOnly = await ctl.repo.push('storefront alarm: detect only');
    const switched = reconciled(ctl.running.controller, (s) => s.revision === detectOnly);
    await signedPush(ctl.running.url);
    await switched;
    await setThreshold(ctl.aws, 'storefront-cpu-high', 70);
    expect((await ctl.scan()).writes).toBe(0);
    await ctl.slack.received(before + 2);
    expect(ctl.slack.messages[before + 1]!.text).toContain('Alarm/storefront-cpu-high spec.threshold: 70 -> 85 (detect mode');
    expect(await threshold(ctl.aws, 'storefront-cpu-high')).toBe(70);
    const metrics = await (await fetch(`${ctl.running.url}/metrics`)).text();
    expect(metrics).toContain('ballast_drifted_resources{kind="Alarm"} 1');
    // The replica scaler's decision is on /status even when it holds.
    const status = (await (await fetch(`${ctl.running.url}/status`)).json()) as { resources: { key: string; explanation?: string }[] };
    expect(status.resources.find((r) => r.key === 'DbInstance/shop-db')?.explanation).toMatch(/^read replicas: .*holding 1/);
    expect(metrics).toMatch(/ballast_reconcile_duration_seconds_count\{trigger="drift-scan"\} [1-9]/);
  });

  it('recreates a resource deleted by hand and says so; warns once about lost ownership, in /status and a metric', async () => {
    await ctl.start();
    let before = ctl.slack.messages.length;
    await HAND_REMOVALS.deleteAlarm(ctl.aws, 'worker-memory-high');
    expect((await ctl.scan()).writes).toBeGreaterThan(0);
    expect(await threshold(ctl.aws, 'worker-memory-high')).toBeDefined();
    await ctl.slack.received(before + 1);
    expect(ctl.slack.messages[before]!.text).toContain('Alarm/worker-memory-high deleted by hand, recreated');

    before = ctl.slack.messages.length;
    await HAND_REMOVALS.untagAlarm(ctl.aws, 'checkout-cpu-high');
    await ctl.scan();
    await ctl.slack.received(before + 1);
    expect(ctl.slack.messages[before]!.text).toContain('Alarm/checkout-cpu-high ownership lost: exists without ballast.dev/managed-by=ballast');
    const status = (await (await fetch(`${ctl.running.url}/status`)).json()) as { resources: { key: string; status: string; drift?: string; note?: string }[] };
    expect(status.resources.find((r) => r.key === 'Alarm/checkout-cpu-high')).toMatchObject({ status: 'unmanaged', drift: 'ownership-lost', note: expect.stringContaining('ballast.dev/adopt') });
    expect(await (await fetch(`${ctl.running.url}/metrics`)).text()).toContain('ballast_ownership_lost_resources{kind="Alarm"} 1');
    // Later scans see it still, and stay quiet within the quiet period.
    await ctl.scan();
    await ctl.scan();
    expect(ctl.slack.messages.length).toBe(before + 1);
  });
});
