/**
 * The controller's check of a one-file commit: its revision loader reads the whole folder once, then again after one
 * manifest changed. Prints one JSON document: wall and CPU time (this process's, the worker's included) of each load.
 *   recheck.ts <dir>
 */
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RevisionLoader } from '../../src/isolated-load/index.js';

const dir = process.argv[2]!;
const loader = new RevisionLoader();
async function measure(): Promise<{ wallMs: number; cpuMs: number; rechecked: number; manifests: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const revision = await loader.load(dir, { cwd: dir });
  const used = process.cpuUsage(cpu);
  if (revision.problems.length > 0) throw new Error(`estate invalid: ${revision.problems[0]?.message}`);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000, rechecked: revision.rechecked.length, manifests: revision.manifests.length };
}
const first = await measure();
const file = path.join(dir, 'services', readdirSync(path.join(dir, 'services'))[0]!);
const text = await readFile(file, 'utf8');
await writeFile(file, text.replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
const second = await measure();
await writeFile(file, text);
await loader.close();
console.log(JSON.stringify({ first, second }));
