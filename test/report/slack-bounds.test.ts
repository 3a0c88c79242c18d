import { describe, expect, it } from 'vitest';
import { NotificationPolicy, type Notification, type ReconcileReport } from '../../src/report/notify.js';
import { SLACK_LIMITS, truncate } from '../../src/report/slack-format.js';
import { drillNotification } from '../../src/drill/report.js';
import type { DrillResult } from '../../src/drill/types.js';

const REV = '3f2a9c1d0b7e4a5f6c8d9e0f1a2b3c4d5e6f7a8b';
const HOSTILE = '<!channel> <https://evil.example|click> & <@U123>';

function decide(extra: Partial<ReconcileReport>): Notification[] {
  return new NotificationPolicy().decide({ revision: REV, triggers: ['drift-scan'], drift: [], applied: [], failures: [], ...extra });
}

/** Every text field of a message: the fallback, headers, sections and context elements. */
function texts(n: Notification): string[] {
  return [n.text, ...n.blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : [b.text.text]))];
}

/** Slack's limits hold, and no field carries a raw control character or half an escape. */
function expectWithinSlack(n: Notification): void {
  expect(n.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  expect(n.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  for (const b of n.blocks) {
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
  }
  for (const t of texts(n)) {
    expect(t).not.toMatch(/[<>]/);
    expect(t).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
}

const drift = (key: string, live: unknown): ReconcileReport['drift'][number] => ({ key, path: 'spec.description', live, desired: 'CPU high', mode: 'enforce', corrected: true });

describe('Slack messages', () => {
  it('escapes a hostile alarm description in every field, the fallback text included', () => {
    const [n] = decide({ drift: [drift('Alarm/shop-db-cpu-high', HOSTILE)], failures: [] });
    expectWithinSlack(n!);
    expect(n!.text).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(n!.blocks)).toContain('&lt;!channel&gt;');
  });

  it('escapes failure messages, invalid-revision problems and the commit subject and author', () => {
    const ns = decide({
      commit: { author: 'Mallory <m@x>', subject: HOSTILE },
      applied: [{ key: 'Alarm/a', summary: 'put alarm', operations: ['PutMetricAlarm'] }],
      failures: [{ key: 'EcsService/web', code: 'AccessDenied', message: HOSTILE, terminal: true }],
      invalid: { revision: 'badbad1', problems: [{ file: 'a.yaml', line: 1, col: 1, message: HOSTILE }] },
    });
    expect(ns.map((n) => n.kind)).toEqual(['applied', 'failures', 'invalid']);
    for (const n of ns) expectWithinSlack(n);
  });

  it('keeps huge inputs within Slack limits, with every cut ending in "…"', () => {
    const huge = '<&>'.repeat(20_000);
    const failures = Array.from({ length: 400 }, (_, i) => ({ key: `Alarm/a-${i}`, code: huge, message: huge, terminal: true }));
    const ns = decide({
      drift: Array.from({ length: 400 }, (_, i) => drift(`Alarm/a-${i}`, huge)),
      failures,
      commit: { author: huge, subject: huge },
      applied: [{ key: 'EcsService/web', summary: huge, operations: [], changes: [{ path: 'spec.containers[app].environment', live: { A: huge }, desired: { A: 'x' } }] }],
    });
    expect(ns.map((n) => n.kind)).toEqual(['drift', 'applied', 'failures']);
    for (const n of ns) {
      expectWithinSlack(n);
      expect(n.text).toMatch(/…/);
    }
    const applied = ns[1]!.blocks[0]!;
    expect(applied.type === 'header' && applied.text.text.endsWith('…')).toBe(true);
  });

  it('names every kind in "and N more": 30 drifted alarms do not hide the four drifted services', () => {
    const alarms = Array.from({ length: 30 }, (_, i) => drift(`Alarm/alarm-${String(i).padStart(2, '0')}`, 'x'));
    const services = ['catalog', 'checkout', 'storefront', 'worker'].map((s) => ({ ...drift(`EcsService/${s}`, 256), path: 'spec.cpu', desired: 512 }));
    const [n] = decide({ drift: [...alarms, ...services] });
    for (const s of services) expect(n!.text).toContain(`${s.key} spec.cpu`);
    expect(n!.text).toContain('and 14 more (14 Alarm)');
  });

  it('says what was applied in words, with the commit short sha, author and subject', () => {
    const [n] = decide({
      triggers: ['webhook'],
      commit: { author: 'Jane Doe', subject: 'Resize storefront for the sale' },
      applied: [
        {
          key: 'EcsService/storefront',
          summary: 'register task definition and update service',
          operations: ['RegisterTaskDefinition', 'UpdateService'],
          changes: [
            { path: 'spec.containers[app].image', live: 'public.ecr.aws/shop/storefront:2.3.1', desired: 'public.ecr.aws/shop/storefront:2.4.0' },
            { path: 'spec.cpu', live: 512, desired: 1024 },
            { path: 'spec.containers[app].environment', live: { API_TOKEN: 'tok-1' }, desired: { API_TOKEN: 'tok-2' } },
          ],
        },
      ],
    });
    expect(n!.text).toContain('EcsService/storefront image shop/storefront 2.3.1 -&gt; 2.4.0; cpu 512 -&gt; 1024; app environment');
    expect(n!.text).toContain('Changes applied to 1 resource from 3f2a9c1 by Jane Doe: Resize storefront for the sale');
    expect(JSON.stringify(n)).not.toContain('tok-');
  });

  it('bounds and escapes a drill report', () => {
    const result: DrillResult = {
      drill: 'shop-db-drill', db: 'shop-db', method: 'point-in-time', outcome: 'failed', reason: HOSTILE.repeat(500),
      startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:10:00Z', rtoSeconds: 60, rpoSeconds: 30, rtoBudgetSeconds: 3600, rpoBudgetSeconds: 900,
      checks: [{ name: 'status', passed: false, detail: HOSTILE }], restoredFrom: null, drillInstance: null,
    };
    expectWithinSlack(drillNotification(result));
  });
});

describe('truncate', () => {
  it('never cuts an escape or a surrogate pair, and ends with …', () => {
    expect(truncate('ab&amp;cd', 5)).toBe('ab…');
    expect(truncate('ab&amp;cd', 8)).toBe('ab&amp;…');
    expect(truncate('a😀b', 3)).toBe('a…');
    expect(truncate('short', 5)).toBe('short');
  });
});
