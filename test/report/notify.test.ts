import { describe, expect, it } from 'vitest';
import { NotificationPolicy, type Notification, type ReconcileReport } from '../../src/report/notify.js';

const HOUR = 60 * 60 * 1000;
const REV = '3f2a9c1d0b7e4a5f6c8d9e0f1a2b3c4d5e6f7a8b';

function setup() {
  let time = 1_700_000_000_000;
  const policy = new NotificationPolicy({ quietPeriodMs: HOUR, now: () => time });
  return { policy, advance: (ms: number) => (time += ms) };
}

function report(extra: Partial<ReconcileReport> = {}): ReconcileReport {
  return { revision: REV, triggers: ['drift-scan'], drift: [], applied: [], failures: [], ...extra };
}

function thresholdDrift(live: unknown, extra: Partial<ReconcileReport['drift'][number]> = {}): ReconcileReport['drift'][number] {
  return { key: 'Alarm/shop-db-cpu-high', path: 'spec.threshold', live, desired: 80, mode: 'enforce', corrected: true, ...extra };
}

const kinds = (ns: Notification[]) => ns.map((n) => n.kind);

describe('NotificationPolicy', () => {
  it('reports drift as resource, field, live -> desired and revision, in blocks and in the fallback text', () => {
    const { policy } = setup();
    const [n, ...rest] = policy.decide(report({ drift: [thresholdDrift(95), thresholdDrift(95, { key: 'Alarm/x', mode: 'detect', corrected: false })] }));
    expect(rest).toEqual([]);
    expect(n?.kind).toBe('drift');
    expect(n?.text).toContain('Alarm/shop-db-cpu-high spec.threshold: 95 -&gt; 80 (reverted)');
    expect(n?.text).toContain('Alarm/x spec.threshold: 95 -&gt; 80 (detect mode: not changed)');
    expect(n?.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Drift found on 2 resources (2 fields)' } });
    const rendered = JSON.stringify(n?.blocks);
    expect(rendered).toContain('*Alarm/shop-db-cpu-high* spec.threshold: 95 -&gt; 80 (reverted)');
    expect(rendered).toContain('3f2a9c1');
  });

  it('says a resource was deleted by hand, and whether it was recreated; an applied change names what it disrupts', () => {
    const { policy } = setup();
    const deleted = (key: string, mode: 'enforce' | 'detect', corrected: boolean) =>
      ({ key, path: '(deleted)', live: null, desired: null, mode, corrected, event: 'deleted' }) as const;
    const [n, applied] = policy.decide(
      report({
        drift: [deleted('Alarm/a', 'enforce', true), deleted('Alarm/b', 'detect', false)],
        applied: [{ key: 'EcsService/web', summary: 'register task definition revision', operations: ['UpdateService'], disruption: 'rolls tasks: a new deployment replaces every task (taskDefinition)' }],
      }),
    );
    expect(n?.text).toContain('Alarm/a deleted by hand, recreated');
    expect(n?.text).toContain('Alarm/b deleted by hand (detect mode: not recreated)');
    expect(applied?.text).toContain('EcsService/web register task definition revision (UpdateService) [rolls tasks: a new deployment replaces every task (taskDefinition)]');
  });

  it('notifies the same drift once within the quiet period, then again after it', () => {
    const { policy, advance } = setup();
    const drifted = report({ drift: [thresholdDrift(95)] });
    expect(kinds(policy.decide(drifted))).toEqual(['drift']);
    advance(HOUR - 1);
    expect(policy.decide(drifted)).toEqual([]);
    advance(1);
    expect(kinds(policy.decide(drifted))).toEqual(['drift']);
  });

  it('notifies again at once when the drifted values change', () => {
    const { policy, advance } = setup();
    policy.decide(report({ drift: [thresholdDrift(95)] }));
    advance(60_000);
    const [n] = policy.decide(report({ drift: [thresholdDrift(99)] }));
    expect(n?.text).toContain('spec.threshold: 99 -&gt; 80');
  });

  it('stays quiet when the same drift is made again after a revert, until the quiet period ends', () => {
    const { policy, advance } = setup();
    policy.decide(report({ drift: [thresholdDrift(95)] }));
    expect(policy.decide(report())).toEqual([]);
    expect(policy.decide(report({ drift: [thresholdDrift(95)] }))).toEqual([]);
    expect(kinds(policy.decide(report({ drift: [thresholdDrift(96)] })))).toEqual(['drift']);
    advance(HOUR);
    expect(kinds(policy.decide(report({ drift: [thresholdDrift(96)] })))).toEqual(['drift']);
  });

  it('keeps drift memory for a resource that could not be read this time', () => {
    const { policy } = setup();
    policy.decide(report({ drift: [thresholdDrift(95)] }));
    const unreadable = { key: 'Alarm/shop-db-cpu-high', code: 'Throttling', message: 'Rate exceeded' };
    // Throttling once is not news, and the drift it hid for a run is not new either.
    expect(kinds(policy.decide(report({ failures: [unreadable] })))).toEqual([]);
    expect(kinds(policy.decide(report({ drift: [thresholdDrift(95)] })))).toEqual([]);
  });

  it('turns a burst of 30 drifted resources into one message capped at 20 lines', () => {
    const { policy } = setup();
    const drift = Array.from({ length: 30 }, (_, i) => thresholdDrift(90 + i, { key: `Alarm/alarm-${String(i).padStart(2, '0')}` }));
    const ns = policy.decide(report({ drift }));
    expect(ns).toHaveLength(1);
    const text = ns[0]?.text ?? '';
    expect(text).toContain('Drift found on 30 resources');
    expect(text).toContain('Alarm/alarm-00 spec.threshold: 90 -&gt; 80');
    expect(text).toContain('Alarm/alarm-19');
    expect(text).not.toContain('Alarm/alarm-20');
    expect(text).toContain('and 10 more (10 Alarm)');
  });

  it('groups the drift lines of one resource together', () => {
    const { policy } = setup();
    const drift = [
      thresholdDrift(95, { key: 'EcsService/web', path: 'spec.cpu' }),
      thresholdDrift(95, { key: 'Alarm/a' }),
      thresholdDrift(95, { key: 'EcsService/web', path: 'spec.memory' }),
    ];
    const lines = policy.decide(report({ drift }))[0]?.text.split('\n').slice(1);
    expect(lines?.map((l) => l.split(':')[0])).toEqual(['Alarm/a spec.threshold', 'EcsService/web spec.cpu', 'EcsService/web spec.memory']);
  });

  it('never shows the values of secret-looking paths', () => {
    const { policy } = setup();
    const path = 'spec.containers[app].environment.API_TOKEN';
    const ns = policy.decide(report({ drift: [{ key: 'EcsService/web', path, live: 'tok-live-123', desired: 'tok-wanted-456', mode: 'detect', corrected: false }] }));
    expect(ns[0]?.text).toContain(`${path}: "(sensitive)" -&gt; "(sensitive)"`);
    expect(JSON.stringify(ns)).not.toContain('tok-');
  });

  it('reports an invalid revision once per bad sha with file:line:col, and recovery once', () => {
    const { policy } = setup();
    const invalid = (revision: string) => ({
      revision,
      problems: [{ file: 'alarms/db.yaml', line: 17, col: 14, subject: 'Alarm/shop-db-cpu-high', message: 'spec.threshold must be a number' }],
    });
    const first = policy.decide(report({ invalid: invalid('badbad1aaaa') }));
    expect(kinds(first)).toEqual(['invalid']);
    expect(first[0]?.text).toContain('Invalid revision badbad1 rejected (1 problem); 3f2a9c1 stays in force');
    expect(first[0]?.text).toContain('alarms/db.yaml:17:14 Alarm/shop-db-cpu-high: spec.threshold must be a number');
    expect(policy.decide(report({ invalid: invalid('badbad1aaaa') }))).toEqual([]);
    expect(kinds(policy.decide(report({ invalid: invalid('badbad2bbbb') })))).toEqual(['invalid']);
    expect(kinds(policy.decide(report()))).toEqual(['recovered']);
    expect(policy.decide(report())).toEqual([]);
  });

  it('dedupes failures by resource, code and message with the same quiet period, and recovers once', () => {
    const { policy, advance } = setup();
    const failure = { key: 'DbInstance/shop-db', code: 'InvalidParameterCombination', message: 'bad class', terminal: true };
    const failing = report({ failures: [failure] });
    const [n] = policy.decide(failing);
    expect(n?.text).toContain('DbInstance/shop-db InvalidParameterCombination: bad class');
    expect(policy.decide(failing)).toEqual([]);
    expect(kinds(policy.decide(report({ failures: [{ ...failure, message: 'other' }] })))).toEqual(['failures']);
    advance(HOUR);
    expect(kinds(policy.decide(report({ failures: [{ ...failure, message: 'other' }] })))).toEqual(['failures']);
    expect(kinds(policy.decide(report()))).toEqual(['recovered']);
    expect(policy.decide(report())).toEqual([]);
  });

  it('tells a failure that may pass only once it has outlasted three reconciles in a row; a terminal one at once', () => {
    const { policy } = setup();
    const throttled = { key: 'EcsService/web', code: 'ThrottlingException', message: 'Rate exceeded', terminal: false };
    const denied = { key: 'Alarm/a', code: 'AccessDenied', message: 'not allowed', terminal: true };
    // Throttling that heals within two reconciles never reaches Slack, nor does a recovery nobody was told about.
    expect(policy.decide(report({ failures: [throttled] }))).toEqual([]);
    expect(policy.decide(report({ failures: [throttled] }))).toEqual([]);
    expect(policy.decide(report())).toEqual([]);
    expect(policy.decide(report({ failures: [denied] }))[0]?.text).toBe('Reconcile failed for 1 resource\nAlarm/a AccessDenied: not allowed');
    expect(kinds(policy.decide(report()))).toEqual(['recovered']);
    // The streak starts again after a clean reconcile; the third failure in a row is told, once.
    expect(policy.decide(report({ failures: [throttled] }))).toEqual([]);
    expect(policy.decide(report({ failures: [throttled] }))).toEqual([]);
    const [told] = policy.decide(report({ failures: [{ ...throttled, message: 'Rate exceeded again' }] }));
    expect(told?.text).toBe('Reconcile failed for 1 resource\nEcsService/web ThrottlingException: Rate exceeded again');
    expect(policy.decide(report({ failures: [{ ...throttled, message: 'Rate exceeded again' }] }))).toEqual([]);
    expect(kinds(policy.decide(report()))).toEqual(['recovered']);
  });

  it('counts the streak per resource, with the number of reconciles set by the operator', () => {
    const policy = new NotificationPolicy({ quietPeriodMs: HOUR, transientAfter: 2 });
    const on = (key: string) => ({ key, code: 'ServiceUnavailable', message: '503', terminal: false });
    expect(policy.decide(report({ failures: [on('EcsService/a')] }))).toEqual([]);
    // a failed twice in a row; b only once, as a failed before and not since.
    expect(policy.decide(report({ failures: [on('EcsService/a'), on('EcsService/b')] }))[0]?.text).toBe('Reconcile failed for 1 resource\nEcsService/a ServiceUnavailable: 503');
    expect(policy.decide(report({ failures: [on('EcsService/b')] }))[0]?.text).toBe('Reconcile failed for 1 resource\nEcsService/b ServiceUnavailable: 503');
  });

  it('sends one applied message for all resources changed in a reconcile', () => {
    const { policy } = setup();
    const applied = [
      { key: 'EcsService/web', summary: 'update service', operations: ['RegisterTaskDefinition', 'UpdateService'] },
      { key: 'Alarm/a', summary: 'update alarm', operations: ['PutMetricAlarm'] },
    ];
    const ns = policy.decide(report({ triggers: ['webhook'], applied }));
    expect(kinds(ns)).toEqual(['applied']);
    expect(ns[0]?.text).toContain('Changes applied to 2 resources\nAlarm/a update alarm (PutMetricAlarm)');
  });

  it('names every reason of a reconcile that several triggers folded into', () => {
    const [n] = new NotificationPolicy({ quietPeriodMs: HOUR }).decide(report({ triggers: ['drift-scan', 'webhook'], applied: [{ key: 'Alarm/a', summary: 'put alarm', operations: ['PutMetricAlarm'] }] }));
    expect(JSON.stringify(n?.blocks)).toContain('triggers: drift-scan, webhook');
  });

  it('has nothing to say about a clean reconcile', () => {
    const { policy } = setup();
    expect(policy.decide(report({ triggers: ['startup'] }))).toEqual([]);
  });
});
