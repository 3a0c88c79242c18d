import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonSchemaFiles } from '../schema/json-schema.js';
import { writeJson, type Io, type OutputFormat } from './io.js';

export async function schemaCommand(outDir: string, output: OutputFormat, io: Io): Promise<number> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(jsonSchemaFiles())) {
    await writeFile(path.join(outDir, name), text);
    written.push(path.join(outDir, name));
  }
  if (output === 'json') writeJson(io, { written });
  else for (const file of written) io.stdout(`wrote ${file}\n`);
  return 0;
}
