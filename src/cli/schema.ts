import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonSchemaFiles } from '../schema/json-schema.js';
import type { Io } from './io.js';

export async function schemaCommand(outDir: string, io: Io): Promise<number> {
  await mkdir(outDir, { recursive: true });
  for (const [name, text] of Object.entries(jsonSchemaFiles())) {
    await writeFile(path.join(outDir, name), text);
    io.stdout(`wrote ${path.join(outDir, name)}\n`);
  }
  return 0;
}
