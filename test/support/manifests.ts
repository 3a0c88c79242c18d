import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A private copy of desired-state/ that a test may edit. */
export async function copyDesiredState(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ballast-estate-'));
  await cp('desired-state', dir, { recursive: true });
  return dir;
}

export { editManifest, removeManifest, setField } from '../../src/demo/edit.js';
