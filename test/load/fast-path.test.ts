import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify, type ToStringOptions } from 'yaml';
import { estateManifests } from '../../bench/estate/generate.js';
import { readFast } from '../../src/load/fast.js';
import { countNodes } from '../../src/load/count.js';

/**
 * The fast path (js-yaml) must read every file it accepts exactly as `yaml` does, or leave it to `yaml`: the two
 * paths may never give a manifest two meanings. Held against every YAML file of the repository, the bench
 * generator's output, those documents written in other styles, and scalars and shapes where YAML readers differ.
 */

/** JSON that tells -0, NaN and the infinities apart, so a number read differently cannot compare equal. */
const exact = (v: unknown) =>
  JSON.stringify(v, (_, x: unknown) => (typeof x === 'number' && (Object.is(x, -0) || !Number.isFinite(x)) ? `number:${Object.is(x, -0) ? '-0' : String(x)}` : x));

/** The fast path's reading of text, checked against `yaml`'s; true when the fast path took the file. */
function agrees(text: string): boolean {
  const fast = readFast(text);
  if (!fast) return false;
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const all = Array.isArray(docs) ? docs : [];
  expect(all.flatMap((d) => d.errors.map((e) => e.message)), text).toEqual([]);
  expect(exact(fast.values), text).toBe(exact(all.map((d) => d.toJS())));
  expect(fast.nodes, text).toBeGreaterThanOrEqual(countNodes(text, Infinity));
  return true;
}

const repoFiles = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { encoding: 'utf8' }).split('\n').filter(Boolean);
const repoTexts = repoFiles.map((f) => readFileSync(f, 'utf8'));
const benchTexts = estateManifests({ clusters: 2, servicesPerCluster: 3, dbs: 2, alarmsPerService: 2, dashboards: 1 }).map((m) => stringify(m.doc));

/** The repository's documents again, in other styles a person might write them in. */
const STYLES: ToStringOptions[] = [
  { collectionStyle: 'flow' },
  { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
  { defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' },
  { blockQuote: 'literal', indentSeq: false, indent: 4 },
  { blockQuote: 'folded', lineWidth: 20, minContentWidth: 0 },
];
const restyled = repoTexts.flatMap((text) => {
  const values = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  return STYLES.map((style) => values.map((v) => stringify(v, style)).join('---\n'));
});

const SCALARS = [
  '1_000', '0o17', '0x1F', '0X1F', '0O17', '0b101', '+.inf', '-.inf', '.inf', '.Inf', '.NaN', '.nan', '.NAN', 'NaN', 'Infinity',
  '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n',
  '2024-01-01', '2024-01-01T10:00:00Z', '12:30:00', '1:20', '1e3', '1E3', '1e+3', '-1e-3', '1.5e3', '.5e3', '1e', 'e3',
  '"quoted"', "'single'", '"1"', "'true'", '012', '0', '-0', '+0', '-0.0', '.5', '-.5', '+.5', '1.', '+1', '-1', '1.2.3',
  '9007199254740993', '123456789012345678901234567890', '0x', '0o', '=', '-', 'a#b', 'a #b', '"\\/"', '"a\\tb\\x41\\u263A"',
  '"\\N\\_\\L\\P"', "'it''s'", '@x', '`x`', '%x', 'a:b', 'http://x/y?z', '"a\n    b"', 'plain\n    continued',
  '|\n    a\n    b\n', '|-\n    a\n', '|+\n    a\n\n', '>\n    a\n    b\n\n    c\n', '>-\n    a  \n     b\n', '|2\n     a\n',
  '[1, 2, {a: b}]', '{a: 1, b: [x, "y"]}', '[]', '{}', '[a, [b, c]]', '{a: , b}',
];
const scalarTexts = SCALARS.flatMap((s) => [`v: ${s}\n`, `list:\n  - ${s}\n`, `${s}: 1\n`, `m: {k: ${s}}\n`]);

/** Shapes the fast path must leave to `yaml` or read the same, valid and invalid. */
const SHAPES = [
  'a: 1\n---\nb: 2\n', '---\na: 1\n', '---\na: 1\n---\n', 'a: 1\n...\n---\nb: 2\n...\n', '# only a comment\n', '', '---\n',
  '# c\n---\na: 1 # c\n', 'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: !custom 1\n', '%YAML 1.1\n---\na: yes\n', 'a: 1\r\nb: 2\r\n',
  'a:\n\t- 1\n', '\uFEFFa: 1\n', 'a: 1\na: 2\n', '1: a\n"1": b\n', '? a\n: 1\n', '[a]: 1\n', '{a: 1}: 2\n', 'b: {[a]: 1}\n',
  '<<: {a: 1}\nb: 2\n', 'a: b: c\n', 'a:\n  b: 1\n c: 2\n', 'a: "unterminated\n', "a: 'x\n", 'a:\n- b\n- c\n', '- a\n- b\n',
  'just a scalar\n', 'a: [1, 2\n', 'a: {b: 1\n', `${'k'.repeat(1100)}: 1\n`, 'a: \u0007\n', 'a: "\u0007"\n', 'a:\n  - - x\n    - y\n',
  'key:value\n', 'a: -\n', '- \n', 'a:\n  -\n', '"a": 1\n\'b\': 2\n', 'a: 1\n  # indented comment\nb: 2\n', 'a: x\n    y\n  z\n',
  '__proto__: {polluted: 1}\n', 'a:\n  b: "x\n  y"\n', 'a:\n- "x\ny"\n', 'a: "x\\\n  y"\n', 'a: x # c [\nb: "it\'s" # c\n', 's: "0 5 * * 1"\n', 'a: *\n',
  'x: [a\n, b]\n', 'x: [a,\nb]\n', 'x: {a: 1,\n  b: 2}\n', 'x:\n  - [a,\n    b]\n', 'a: "x\ny"\n', "a: 'x\ny'\n",
  'a: x\ny\n', 'a: "x\n  y"\n', 'a:\n  b: "x\n  y"\n', 'a:\n  b: "x\n y"\n', 'a:\n  b: x\n   y\n', 'a:\n  b: x\n  y\n', '"a\n b": 1\n', 'x: {"a\n b": 1}\n',
  'a: |\n  x\n y\n', 'a:  |\n  x\n', 'a: >\n\n  x\n', 'a: |1\n  x\n', 'a: |\n   x\n  y\n', 'a: |\n\n\n  x\n', 'a: |\n  x\n\n\nb: 1\n', '- |\n x\n- y\n', 'toString: 1\nconstructor: 2\n', 'a: "x" y\n', 'a: [b, c]d\n', 'a: 1\n---\n- list\n',
];

describe('the fast YAML path', () => {
  it('takes every manifest of desired-state/ and of the bench generator, and reads each as yaml does', () => {
    const manifests = repoTexts.filter((_, i) => repoFiles[i]!.startsWith('desired-state/'));
    expect(manifests.length).toBeGreaterThan(5);
    for (const text of [...manifests, ...benchTexts]) expect(agrees(text), text).toBe(true);
  });

  it('reads every other YAML file of the repository as yaml does, or leaves it to yaml', () => {
    for (const text of repoTexts) agrees(text);
  });

  it('reads the same documents written in other styles as yaml does, or leaves them to yaml', () => {
    const taken = restyled.filter(agrees).length;
    // Quoted and block strings stay on the fast path; flow collections and strings folded over lines go to yaml.
    expect(taken).toBeGreaterThan(restyled.length / 3);
  });

  it('resolves each tricky scalar, as a value, an item or a key, exactly as the YAML 1.2 core schema does, or defers', () => {
    const taken = scalarTexts.filter(agrees).length;
    expect(taken).toBeGreaterThan(scalarTexts.length / 2);
  });

  it('leaves anchors, aliases, tags, directives, merge and collection keys, duplicates and every error to yaml', () => {
    for (const text of SHAPES) agrees(text);
    const mustDefer = ['a: &x 1\nb: *x\n', 'a: !!str 1\n', '%YAML 1.1\n---\na: yes\n', 'a: 1\na: 2\n', '? a\n: 1\n', '[a]: 1\n', '<<: {a: 1}\nb: 2\n', 'a: b: c\n', '---\na: 1\n---\n', 'just a scalar\n', '--- a: 1\n    b: 2\n', 'a: "80"#note\n', "a: 'x'#c\n", 'a: [x]#c\n', 'a: {b: 1}#c\n'];
    for (const text of mustDefer) expect(readFast(text), text).toBeUndefined();
  });
});
