import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/report/plan-text.js';
import { painter } from '../../src/report/colour.js';
import type { Plan, ResourcePlan } from '../../src/plan/types.js';

const resource = (key: string, status: ResourcePlan['status'], extra: Partial<ResourcePlan> = {}): ResourcePlan => {
  const [kind, name] = key.split('/') as [ResourcePlan['kind'], string];
  return { key: key as ResourcePlan['key'], kind, name, mode: 'enforce', status, changes: [], refused: [], actions: [], ...extra };
};

const plan: Plan = {
  resources: [
    resource('Alarm/new', 'create'),
    resource('Alarm/changed', 'update', { changes: [{ path: 'spec.threshold', live: 90, desired: 85 }] }),
    resource('EcsService/broken', 'error', { error: { code: 'AccessDenied', message: 'no', terminal: true } }),
  ],
  actions: [],
};
const ESC = '\u001b[';

describe('colour in plan and drift output', () => {
  it('colours additions green, changes yellow and errors red on a terminal, the text otherwise unchanged', () => {
    const coloured = renderPlan(plan, { paint: painter({ isTTY: true }, {}) });
    expect(coloured).toContain(`${ESC}32m  + Alarm/new  (create)${ESC}39m`);
    expect(coloured).toContain(`${ESC}33m  ~ Alarm/changed  (update)${ESC}39m`);
    expect(coloured).toContain(`${ESC}31m      error: AccessDenied: no${ESC}39m`);
    expect(stripVTControlCharacters(coloured)).toBe(renderPlan(plan));
  });

  it('stays plain when stdout is not a terminal or NO_COLOR is set', () => {
    for (const [stream, env] of [[{ isTTY: false }, {}], [{}, {}], [{ isTTY: true }, { NO_COLOR: '1' }]] as const) {
      expect(renderPlan(plan, { paint: painter(stream, env) })).not.toContain(ESC);
    }
  });
});
