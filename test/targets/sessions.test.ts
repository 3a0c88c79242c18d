import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { folderStore } from '../../src/cache/index.js';
import { openSession } from '../../src/observe/context.js';
import type { Target } from '../../src/schema/index.js';
import { TargetSessions } from '../../src/targets/sessions.js';
import { EU, targetYaml } from '../support/accounts.js';

describe('target sessions and the CLI cache folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ballast-target-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a Target's immutable reads between commands, as it does the default target's", async () => {
    const target = parse(targetYaml(EU.name, EU.account, EU.region, 'ballast', EU.externalId)) as Target;
    // Each command opens its sessions afresh: only the cache folder carries reads from one to the next.
    const command = () => {
      const store = folderStore(dir, 'test');
      return new TargetSessions(openSession({ controllerId: 'ci', store }), { store }).for(target);
    };
    const arn = `arn:aws:ecs:${EU.region}:${EU.account}:task-definition/web:3`;
    let reads = 0;
    const read = async () => ({ family: 'web', revision: 3, read: ++reads });
    expect(await command().memo.get(arn, read)).toEqual({ family: 'web', revision: 3, read: 1 });
    expect(await command().memo.get(arn, read)).toEqual({ family: 'web', revision: 3, read: 1 });
    expect(reads).toBe(1);
  });
});
