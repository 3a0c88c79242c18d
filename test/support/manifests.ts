import { cp } from 'node:fs/promises';
import { tempDir } from './temp.js';

/** A private copy of desired-state/ that a test may edit. */
export async function copyDesiredState(): Promise<string> {
  const dir = await tempDir('estate');
  await cp('desired-state', dir, { recursive: true });
  return dir;
}

export { editManifest, removeManifest, setField } from '../../src/demo/edit.js';
