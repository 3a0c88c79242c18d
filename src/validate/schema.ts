import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { API_VERSION, KINDS, SCHEMAS, isKind, type Kind, type Manifest } from '../schema/index.js';
import type { Problem } from '../problem.js';
import type { SourceDocument } from '../load/index.js';
import { describePath, offsetOf, pointerToPath, type Path } from './positions.js';

const ajv = new Ajv({ strict: true, allErrors: true, useDefaults: true, verbose: true });
const validators = Object.fromEntries(KINDS.map((k) => [k, ajv.compile(SCHEMAS[k])])) as Record<Kind, ValidateFunction>;

/** A document that passed its kind's schema, defaults filled in, with its source. */
export interface ValidDocument {
  manifest: Manifest;
  source: SourceDocument;
}

export function subjectOf(value: unknown): string | undefined {
  const v = value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  if (typeof v?.kind !== 'string') return undefined;
  return typeof v.metadata?.name === 'string' ? `${v.kind}/${v.metadata.name}` : v.kind;
}

export function problemAt(source: SourceDocument, path: Path, message: string, key = false): Problem {
  const { line, col } = source.lines.linePos(offsetOf(source.doc, path, key));
  return { file: source.file, line, col, subject: subjectOf(source.value), message };
}

/** Checks one document against its kind's schema. Returns the manifest with defaults, or problems. */
export function validateDocument(source: SourceDocument): { manifest?: Manifest; problems: Problem[] } {
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [problemAt(source, [], 'a manifest must be a mapping with apiVersion, kind, metadata and spec')] };
  }
  const doc = value as Record<string, unknown>;
  if (doc.apiVersion !== API_VERSION) {
    const found = doc.apiVersion === undefined ? 'missing' : JSON.stringify(doc.apiVersion);
    return { problems: [problemAt(source, ['apiVersion'], `apiVersion must be "${API_VERSION}" (found ${found})`)] };
  }
  if (!isKind(doc.kind)) {
    const found = doc.kind === undefined ? 'missing' : JSON.stringify(doc.kind);
    return { problems: [problemAt(source, ['kind'], `kind must be one of ${KINDS.join(', ')} (found ${found})`)] };
  }
  const copy = structuredClone(doc);
  const validate = validators[doc.kind];
  if (validate(copy)) return { manifest: copy as unknown as Manifest, problems: [] };
  return { problems: dedupe(validate.errors ?? []).map((e) => toProblem(source, e)) };
}

/** ajv reports a failed union once per branch; keep one error per place and keyword family. */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const enums = new Map<string, unknown[]>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword === 'const') {
      const list = enums.get(e.instancePath) ?? [];
      if (list.length === 0) out.push({ ...e, keyword: 'enum', params: { allowedValues: list } });
      list.push(e.params.allowedValue);
      enums.set(e.instancePath, list);
    } else if (e.keyword === 'anyOf' && enums.has(e.instancePath)) {
      continue;
    } else {
      out.push(e);
    }
  }
  return out;
}

function toProblem(source: SourceDocument, e: ErrorObject): Problem {
  const path = pointerToPath(e.instancePath);
  const where = describePath(path);
  const at = where ? `${where}: ` : '';
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      return problemAt(source, [...path, field], `unknown field "${describePath([...path, field])}"`, true);
    }
    case 'required':
      return problemAt(source, path, `${at}missing required field "${String(e.params.missingProperty)}"`, true);
    case 'type':
      return problemAt(source, path, `${at}must be ${article(String(e.params.type))}, got ${kindOf(valueAt(source.value, path))}`);
    case 'enum':
      return problemAt(
        source,
        path,
        `${at}must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(valueAt(source.value, path))}`,
      );
    case 'pattern': {
      const schema = e.parentSchema as { description?: string } | undefined;
      const hint = schema?.description ? ` (${schema.description})` : '';
      return problemAt(source, path, `${at}${JSON.stringify(valueAt(source.value, path))} is not valid${hint}`);
    }
    default:
      return problemAt(source, path, `${at}${e.message ?? 'is invalid'}`);
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

export function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const step of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}
