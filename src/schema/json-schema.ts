import { KINDS, SCHEMAS } from './index.js';

/** One JSON Schema document per kind, plus `all.json` that picks the schema by `kind` (for multi-kind files). */
export function jsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const kind of KINDS) files[`${kind}.json`] = `${JSON.stringify(SCHEMAS[kind], null, 2)}\n`;
  const all = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://ballast.dev/schemas/all.json',
    title: 'Any Ballast manifest',
    type: 'object',
    required: ['kind'],
    properties: { kind: { enum: KINDS } },
    allOf: KINDS.map((kind) => ({
      if: { properties: { kind: { const: kind } } },
      then: { $ref: `${kind}.json` },
    })),
  };
  files['all.json'] = `${JSON.stringify(all, null, 2)}\n`;
  return files;
}
