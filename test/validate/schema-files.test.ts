import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../../src/schema/json-schema.js';

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

const files = jsonSchemaFiles();
const kinds = Object.entries(files)
  .filter(([name]) => name !== 'all.json')
  .map(([name, text]) => [name, JSON.parse(text) as JsonSchema] as const);

/** Every sub-schema with the path to it, e.g. `spec.containers[].ports`. */
function* walk(schema: JsonSchema, path: string): Generator<[string, JsonSchema]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* walk(child, path ? `${path}.${key}` : key);
  for (const [pattern, child] of Object.entries(schema.patternProperties ?? {})) yield* walk(child, `${path}[${pattern}]`);
  if (typeof schema.additionalProperties === 'object') yield* walk(schema.additionalProperties, `${path}[*]`);
  if (schema.items) yield* walk(schema.items, `${path}[]`);
  for (const branch of schema.anyOf ?? []) yield* walk(branch, path);
}

describe('schemas/', () => {
  it('holds exactly the files `ballast schema` writes, as it writes them', async () => {
    expect((await readdir('schemas')).sort(), 'schemas/ has files `ballast schema` does not write').toEqual(Object.keys(files).sort());
    for (const [name, text] of Object.entries(files)) {
      const stored = await readFile(`schemas/${name}`, 'utf8');
      expect(stored, `schemas/${name} is stale: run \`npx ballast schema\` (after \`npm run build\`) and commit schemas/`).toBe(text);
    }
  });

  it('are strict: no object accepts fields its schema does not name', () => {
    const open = kinds.flatMap(([name, schema]) =>
      [...walk(schema, '')]
        .filter(([, s]) => s.type === 'object' && s.additionalProperties !== false && typeof s.additionalProperties !== 'object')
        .map(([path]) => `${name} ${path}`),
    );
    expect(open).toEqual([]);
  });

  it('describe every field, or state its default', () => {
    const bare = kinds.flatMap(([name, schema]) =>
      [...walk(schema, '')]
        .flatMap(([path, s]) => Object.entries(s.properties ?? {}).map(([key, p]) => [path ? `${path}.${key}` : key, p] as const))
        .filter(([, p]) => p.description === undefined && p.default === undefined)
        .map(([path]) => `${name} ${path}`),
    );
    expect(bare).toEqual([]);
  });

  // A header validates only the first document of a file; the editor setting covers every document of every file.
  it('are mapped onto every manifest file by the shipped editor setting (.vscode/settings.json)', async () => {
    const settings = JSON.parse(await readFile('.vscode/settings.json', 'utf8')) as { 'yaml.schemas': Record<string, string[]> };
    const [[schema, globs]] = Object.entries(settings['yaml.schemas']) as [[string, string[]]];
    expect(existsSync(schema)).toBe(true);
    expect(schema).toBe('./schemas/all.json');
    const manifests = (await readdir('desired-state', { recursive: true })).filter((f) => /\.ya?ml$/.test(f));
    expect(manifests.length).toBeGreaterThan(0);
    for (const file of manifests) expect(globs, file).toContain(`desired-state/**/*${file.slice(file.lastIndexOf('.'))}`);
  });
});
