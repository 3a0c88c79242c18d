import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { findManifestFiles } from '../../src/load/files.js';
import type { LoadCache } from '../../src/load/index.js';
import { FileCache } from '../../src/file-cache/index.js';
import { SCHEMAS, isKind } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';

/**
 * Every scalar of desired-state/ is edited, one at a time, into an invalid value (and every required field is
 * deleted, one at a time); each edit must yield an error that names the edited file and the line of the field.
 */

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  pattern?: string;
  const?: unknown;
  anyOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
}

type Path = (string | number)[];

/** Strings that name another manifest: any text is valid to the schema, but a name that is not there is an error. */
const REFERENCES = new Set([
  'ServiceAutoscaling spec.service',
  'Alarm spec.metric.dimensionsFrom.ecsService',
  'Alarm spec.metric.dimensionsFrom.targetGroupOf',
  'Alarm spec.metric.dimensionsFrom.dbInstance',
  'Dashboard spec.generate.ecsServices[]',
  'Dashboard spec.generate.loadBalancers[]',
  'Dashboard spec.generate.dbInstances[]',
]);

/**
 * Leaves where every value is valid, so no single edit can make them invalid: environment variable values (plain
 * configuration), health check command words, and CloudWatch widget properties (passed through to the dashboard
 * body as they are).
 */
const FREE_FORM = new Set([
  'EcsService spec.containers[].environment.*',
  'EcsService spec.containers[].healthCheck.command[]',
  'Dashboard spec.widgets[].properties.*',
]);

interface Edit {
  file: string;
  doc: number;
  /** What the test calls the edit, e.g. `spec.cpu = "x"`. */
  label: string;
  apply: (doc: Document.Parsed) => void;
  /** The node the error must be on, in the edited document: the field's value, or for a deletion its mapping. */
  at: Path;
}

/** `spec.containers[].environment.*`: indexes and record keys folded, so one rule covers every instance. */
function generic(path: Path, recordSteps: Set<number>): string {
  return path.reduce<string>((out, step, i) => {
    if (typeof step === 'number') return `${out}[]`;
    const part = recordSteps.has(i) ? '*' : step;
    return out ? `${out}.${part}` : part;
  }, '');
}

function childSchema(schema: JsonSchema, step: string | number): { schema: JsonSchema; record: boolean } | undefined {
  if (typeof step === 'number') return schema.items && { schema: schema.items, record: false };
  const property = schema.properties?.[step];
  if (property) return { schema: property, record: false };
  const pattern = Object.entries(schema.patternProperties ?? {}).find(([p]) => new RegExp(p, 'u').test(step));
  if (pattern) return { schema: pattern[1], record: true };
  if (typeof schema.additionalProperties === 'object') return { schema: schema.additionalProperties, record: true };
  // A union of objects (DbInstance masterPassword): the branch that has the field.
  for (const branch of schema.anyOf ?? []) {
    const child = childSchema(branch, step);
    if (child) return child;
  }
  return undefined;
}

/** An invalid value for a scalar, or undefined when the schema accepts any value there. */
function invalidValue(value: unknown, schema: JsonSchema, name: string): unknown {
  if (typeof value === 'number') return 'x';
  if (typeof value === 'boolean') return 'maybe';
  if (schema.pattern !== undefined || schema.const !== undefined || schema.anyOf || REFERENCES.has(name)) return '!!bad!!';
  if (schema.minLength) return '';
  if (schema.maxLength !== undefined) return 'x'.repeat(schema.maxLength + 1);
  return undefined;
}

/** Walks one document's nodes and the kind's schema side by side, collecting edits and free-form leaves. */
function editsOf(file: string, index: number, doc: Document.Parsed, skipped: Set<string>): Edit[] {
  const kind = doc.get('kind');
  if (!isKind(kind)) throw new Error(`${file}: document ${index} has no known kind`);
  const edits: Edit[] = [];
  const walk = (node: unknown, schema: JsonSchema, path: Path, records: Set<number>) => {
    const name = `${kind} ${generic(path, records)}`;
    if (isScalar(node)) {
      const value = invalidValue(node.value, schema, name);
      if (value === undefined) skipped.add(name);
      else edits.push({ file, doc: index, label: `${generic(path, new Set())} = ${JSON.stringify(value).slice(0, 20)}`, apply: (d) => d.setIn(path, value), at: path });
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = String((pair.key as { value: unknown }).value);
        const child = childSchema(schema, key);
        if (!child) throw new Error(`${file}: ${[...path, key].join('.')} is not in the ${kind} schema`);
        walk(pair.value, child.schema, [...path, key], child.record ? new Set([...records, path.length]) : records);
        // A required field with a default (circuitBreaker.enable) is filled in when left out: deleting it is valid.
        if (schema.required?.includes(key) && (child.schema as { default?: unknown }).default === undefined) {
          edits.push({ file, doc: index, label: `delete ${generic([...path, key], new Set())}`, apply: (d) => d.deleteIn([...path, key]), at: path });
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, schema.items ?? {}, [...path, i], records));
    }
  };
  walk(doc.contents, SCHEMAS[kind] as unknown as JsonSchema, [], new Set());
  return edits;
}

/** The line the error must be on: a scalar's own line, a mapping's key (or list item) line, or the document's first. */
function expectedLine(text: string, docIndex: number, at: Path): number {
  const lines = new LineCounter();
  const doc = parseAllDocuments(text, { lineCounter: lines })[docIndex] as Document.Parsed;
  let node: Node | null = doc.contents;
  let line = lines.linePos(node?.range?.[0] ?? 0).line;
  for (const step of at) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      line = lines.linePos((pair?.key as Node).range?.[0] ?? 0).line;
      node = pair?.value as Node;
    } else if (isSeq(node)) {
      node = node.items[step as number] as Node;
      line = lines.linePos(node.range?.[0] ?? 0).line;
    }
  }
  return line;
}

describe('every single-field edit of desired-state/', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ballast-edits-'));
    await cp('desired-state', dir, { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is an error naming the edited file and the line of the field', { timeout: 120_000 }, async () => {
    const { files } = await findManifestFiles(dir);
    const skipped = new Set<string>();
    const misses: string[] = [];
    // As the controller loads a one-file commit: the files not edited are taken from the cache, the edited one checked.
    const cache: LoadCache = new FileCache();
    let count = 0;
    for (const file of files) {
      const original = await readFile(file, 'utf8');
      const edits = parseAllDocuments(original).flatMap((doc, i) => editsOf(file, i, doc as Document.Parsed, skipped));
      for (const edit of edits) {
        const docs = parseAllDocuments(original) as Document.Parsed[];
        edit.apply(docs[edit.doc] as Document.Parsed);
        const text = docs.map((d) => d.toString({ lineWidth: 0 })).join('');
        await writeFile(file, text);
        const line = expectedLine(text, edit.doc, edit.at);
        const { problems } = await loadRevision(dir, { cache });
        const where = `${path.relative(dir, file)}:${line} (${edit.label})`;
        if (!problems.some((p) => p.file === file && p.line === line)) {
          misses.push(`${where}: got ${problems.map((p) => `${path.relative(dir, p.file)}:${p.line} ${p.message}`).join(' | ') || 'no problem'}`);
        }
        count++;
      }
      await writeFile(file, original);
    }
    expect(misses).toEqual([]);
    expect(count).toBeGreaterThan(300);
    expect(skipped).toEqual(FREE_FORM);
  });
});
