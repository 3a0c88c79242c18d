import type { ErrorObject, ValidateFunction } from 'ajv';
import { API_VERSION, KINDS, type Kind } from '../schema/kinds.js';
import type { Manifest } from '../schema/index.js';
import type { Problem } from '../problem.js';
import type { SourceDocument } from '../load/index.js';
import { describePath, pointerToPath, type Path } from './positions.js';
import { closest, didYouMean } from './similar.js';
import { brokenPaths, removePaths } from './repair.js';
import * as compiled from './compiled-validators.js';

// Each kind's validator, compiled from its schema ahead of time (npm run validators): nothing is compiled at run time.
const validators = compiled as unknown as Record<Kind, ValidateFunction>;

/** A document that passed its kind's schema, defaults filled in, with its source. */
export interface ValidDocument {
  manifest: Manifest;
  source: SourceDocument;
  /**
   * Set when the document failed its schema: the paths of the failures, removed from manifest, so the rules
   * can still check the rest of it in the same pass (such a manifest is never applied).
   */
  broken?: Path[];
}

export function subjectOf(value: unknown): string | undefined {
  const v = value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  if (typeof v?.kind !== 'string') return undefined;
  return typeof v.metadata?.name === 'string' ? `${v.kind}/${v.metadata.name}` : v.kind;
}

/** A problem about the node at path; the message is prefixed with the path, so every message names its field. */
export function problemAt(source: SourceDocument, path: Path, message: string, key = false): Problem {
  const { line, col } = source.position(path, key);
  const where = describePath(path);
  return { file: source.file, line, col, subject: subjectOf(source.value), message: where ? `${where}: ${message}` : message };
}

/**
 * Checks one document against its kind's schema. Returns the manifest with defaults, or problems; with problems,
 * also the document with its failing values removed, for the rules to check the rest.
 */
export function validateDocument(source: SourceDocument): { document?: ValidDocument; problems: Problem[] } {
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [problemAt(source, [], `a manifest must be a mapping with apiVersion, kind, metadata and spec, got ${kindOf(value)}`)] };
  }
  const doc = value as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const field of ['apiVersion', 'kind'] as const) {
    if (doc[field] === undefined) return { problems: [problemAt(source, [], `missing required field "${field}"`)] };
  }
  if (doc.apiVersion !== API_VERSION) problems.push(problemAt(source, ['apiVersion'], `${oneOf([API_VERSION], doc.apiVersion)}, got ${JSON.stringify(doc.apiVersion)}`));
  // A misspelt kind is checked as the kind it is closest to, so its other errors show in this pass too; with no
  // close kind there is no schema to check the rest against.
  const kind = KINDS.find((k) => k === doc.kind) ?? closest(doc.kind, KINDS);
  if (doc.kind !== kind) problems.push(problemAt(source, ['kind'], `${oneOf([...KINDS], doc.kind)}, got ${JSON.stringify(doc.kind)}`));
  if (!kind) return { problems };
  // A document of the right version and kind is checked in place, its value becoming the manifest with the defaults
  // filled in: no copy of 10,000 manifests. Defaults fill only what the file leaves out, so the messages of any
  // problem, which quote what the file says, are the same as from a copy.
  const validate = validators[kind];
  const checked = problems.length === 0 ? doc : { ...structuredClone(doc), apiVersion: API_VERSION, kind };
  const errors = validate(checked) ? [] : dedupe(narrowUnions(validate.errors ?? []));
  problems.push(...errors.map((e) => toProblem(source, kind, e)));
  if (problems.length === 0) return { document: { manifest: checked as unknown as Manifest, source }, problems };
  // A manifest with problems is the document without its failing values, a copy of it (the check above has already
  // filled its defaults in place).
  const copy = checked === doc ? structuredClone(doc) : checked;
  const broken = brokenPaths(errors, value);
  removePaths(copy, broken);
  validate(copy); // fills the defaults of what was removed; its errors were reported above
  return { document: { manifest: copy as unknown as Manifest, source, broken }, problems };
}

/**
 * A value that fits no branch of a union of objects (e.g. DbInstance masterPassword) gets the errors of the branch
 * it comes closest to (the fewest errors), not every branch's nor ajv's bare "must match a schema in anyOf".
 */
function narrowUnions(errors: ErrorObject[]): ErrorObject[] {
  let out = errors;
  for (const union of errors.filter((e) => e.keyword === 'anyOf')) {
    const prefix = union.schemaPath.replace(/\/anyOf$/, '/anyOf/');
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of out) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    // Unions of literals are dedupe's business.
    if (byBranch.size < 2 || [...byBranch.values()].flat().some((e) => e.keyword === 'const')) continue;
    const closest = [...byBranch.values()].reduce((a, b) => (b.length < a.length ? b : a));
    const dropped = new Set([union, ...[...byBranch.values()].flat().filter((e) => !closest.includes(e))]);
    out = out.filter((e) => !dropped.has(e));
  }
  return out;
}

/**
 * ajv reports a failed union of literals once per branch (a `type` and a `const` error each, then `anyOf`): keep one
 * `enum` error with every allowed value instead.
 */
function dedupe(errors: ErrorObject[]): ErrorObject[] {
  const enums = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword === 'const') enums.set(e.instancePath, [...(enums.get(e.instancePath) ?? []), e.params.allowedValue]);
  }
  const out: ErrorObject[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const allowed = enums.get(e.instancePath);
    if (!allowed || !['const', 'type', 'anyOf'].includes(e.keyword)) out.push(e);
    else if (!seen.has(e.instancePath)) out.push({ ...e, keyword: 'enum', params: { allowedValues: allowed } });
    if (allowed) seen.add(e.instancePath);
  }
  return out;
}

/** Field names that hold a secret value; such values belong in Secrets Manager or SSM, never in a manifest. */
export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)$/i;

function toProblem(source: SourceDocument, kind: Kind, e: ErrorObject): Problem {
  const path = pointerToPath(e.instancePath, source.value);
  const value = valueAt(source.value, path);
  const here = (message: string, key = false) => problemAt(source, path, message, key);
  const limit = Number(e.params.limit);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      return problemAt(source, [...path, field], unknownField(field, kind, e.parentSchema), true);
    }
    case 'required':
      return here(`missing required field "${String(e.params.missingProperty)}"`, true);
    case 'type': {
      const quote = e.params.type === 'string' && (typeof value === 'number' || typeof value === 'boolean');
      return here(`must be ${article(String(e.params.type))}, got ${kindOf(value)}${quote ? ` (quote it: "${String(value)}")` : ''}`);
    }
    case 'enum':
      return here(`${oneOf(e.params.allowedValues as unknown[], value)}, got ${JSON.stringify(value)}`);
    case 'pattern': {
      const description = (e.parentSchema as { description?: string } | undefined)?.description?.replace(/\.$/, '');
      return here(`${JSON.stringify(value)} is not valid (${description ?? `must match ${String(e.params.pattern)}`})`);
    }
    case 'minimum':
      return here(`must be at least ${limit}, got ${JSON.stringify(value)}`);
    case 'maximum':
      return here(`must be at most ${limit}, got ${JSON.stringify(value)}`);
    case 'exclusiveMinimum':
      return here(`must be greater than ${limit}, got ${JSON.stringify(value)}`);
    case 'minLength':
      return here(limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`);
    case 'maxLength':
      return here(`must be at most ${limit} characters long, got ${String(value).length}`);
    case 'minItems':
      return here(`must list at least ${limit} item${limit === 1 ? '' : 's'}, got ${(value as unknown[]).length}`);
    case 'maxItems':
      return here(`must list at most ${limit} items, got ${(value as unknown[]).length}`);
    case 'uniqueItems': {
      const second = [...path, Math.max(Number(e.params.i), Number(e.params.j))];
      return problemAt(source, second, `${JSON.stringify(valueAt(source.value, second))} is listed twice`);
    }
    default:
      return here(e.message ?? 'is invalid');
  }
}

/** The message for a field the schema does not know: a likely secret, a bad record key, or a typo. */
function unknownField(field: string, kind: Kind, parentSchema: unknown): string {
  if (SECRET_NAME.test(field)) {
    const instead =
      kind === 'DbInstance'
        ? 'state masterPassword: {secretArn: …} (a Secrets Manager secret of yours) or {managedByRds: true} instead'
        : "state where the secret lives instead, under a container's secrets (a Secrets Manager or SSM reference)";
    return `plaintext secret not allowed in a manifest: ${instead}`;
  }
  const schema = (parentSchema ?? {}) as { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown> };
  const keyPattern = Object.keys(schema.patternProperties ?? {})[0];
  if (keyPattern) return `key is not valid (must match ${keyPattern})`;
  return `unknown field${didYouMean(field, Object.keys(schema.properties ?? {}))}`;
}

function oneOf(allowed: unknown[], value: unknown): string {
  const list = allowed.map((v) => JSON.stringify(v));
  // YAML reads `true` or `5` unquoted as a boolean or number; an annotation wants the string.
  const quote = typeof value !== 'string' && allowed.includes(String(value)) ? ' (a quoted string)' : '';
  const guess = didYouMean(value, allowed.filter((v): v is string => typeof v === 'string'));
  return list.length === 1 ? `must be ${list[0]}${quote}` : `must be one of ${list.join(', ')}${quote}${guess}`;
}

/** A JSON Schema type in YAML words. */
function article(type: string): string {
  if (type === 'object') return 'a mapping';
  if (type === 'array') return 'a list';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const step of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}
