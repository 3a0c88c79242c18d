import jsyaml from 'js-yaml';

/**
 * The fast path for the common file: js-yaml, about three times faster than `yaml`, reads it with plain scalars
 * resolved exactly as `yaml`'s YAML 1.2 core schema does (its tags, in its order). `yaml` stays the reader of
 * record: whatever js-yaml might read differently goes to it, and so does every file with a problem, so the two
 * paths can never give different values (test/load/fast-path.test.ts holds them against each other).
 */
const scalar = (tag: string, could: (s: string) => boolean, test: RegExp, construct: (s: string) => unknown) =>
  new jsyaml.Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (s: string) => could(s) && test.test(s), construct });
/** Cheap first looks, so most plain scalars (names, words) are strings without a regular expression run on them. */
const shortWord = (s: string) => s.length <= 5;
const numeric = (s: string) => {
  const c = s.charCodeAt(0);
  return c === 43 || c === 45 || c === 46 || (c >= 48 && c <= 57); // + - . 0-9
};

const INT = { oct: /^0o[0-7]+$/, dec: /^[-+]?[0-9]+$/, hex: /^0x[0-9a-fA-F]+$/ };
const FLOAT = { special: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, exp: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, plain: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/ };
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const anyOf = (...res: RegExp[]) => new RegExp(res.map((r) => r.source).join('|'));

const CORE_1_2 = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', shortWord, NULL, () => null),
    scalar('bool', shortWord, BOOL, (s) => s[0] === 't' || s[0] === 'T'),
    scalar('int', numeric, anyOf(INT.oct, INT.dec, INT.hex), (s) => (INT.oct.test(s) ? parseInt(s.slice(2), 8) : INT.hex.test(s) ? parseInt(s.slice(2), 16) : parseInt(s, 10))),
    scalar('float', numeric, anyOf(FLOAT.special, FLOAT.exp, FLOAT.plain), (s) =>
      FLOAT.special.test(s) ? (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity) : parseFloat(s),
    ),
  ],
});

/**
 * Text the fast path leaves to `yaml`: anchors, aliases and tags (`&a`, `*a`, `!` where a node may start; alias limits
 * are `yaml`'s), directives (`%YAML 1.1` changes the schema), merge keys, explicit and collection keys (`? `,
 * `[a]: `, `{a: 1}: `), tabs and carriage returns (where YAML readers differ most), a byte-order mark, content on a
 * `---` line and a comment glued to a quoted or flow value (`"80"#x`: js-yaml reads both, `yaml` refuses them). Text in a
 * value that merely looks so (`a *b`) only costs the slower reader.
 */
const UNUSUAL = /(?:^|[\s[{,:])(?:[&*][^\s,[\]{}]|!)|^%|[\t\r\uFEFF]|<<|\?(?:\s|$)|[\]}][ ]*:|^---[ ]+[^\s#]|[^\s:[{,]["']#|[\]}]#/m;
/** Keys `yaml` would read as something other than a string (js-yaml turns them to strings its own way). */
const NOT_A_STRING_KEY = anyOf(NULL, BOOL, INT.oct, INT.dec, INT.hex, FLOAT.special, FLOAT.exp, FLOAT.plain, /^(?:NaN|-?Infinity|__proto__)$/);

export interface FastRead {
  /** The values of the file's documents, in order. */
  values: Record<string, unknown>[];
  /** Keys, values and collections: at least the YAML nodes `countNodes` would count. */
  nodes: number;
}

/**
 * The file's documents read by the fast path, or undefined when `yaml` must read it: unusual text, any parse error
 * or duplicate key (js-yaml refuses both), a document that is not a mapping (empty, scalar, list: a problem anyway),
 * or a key `yaml` would not read as a plain string.
 */
export function readFast(text: string): FastRead | undefined {
  if (UNUSUAL.test(text) || !simpleLines(text)) return undefined;
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, undefined, { schema: CORE_1_2 });
  } catch {
    return undefined;
  }
  let nodes = 0;
  const stack: unknown[] = [];
  for (const doc of docs) {
    if (!isMapping(doc)) return undefined;
    stack.push(doc);
  }
  while (stack.length > 0) {
    const value = stack.pop();
    nodes += 1;
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (isMapping(value)) {
      for (const key in value) {
        if ((shortWord(key) || numeric(key) || key === 'Infinity' || key === '__proto__') && NOT_A_STRING_KEY.test(key)) return undefined;
        nodes += 1;
        stack.push(value[key]);
      }
    }
  }
  return { values: docs as Record<string, unknown>[], nodes };
}

/** Characters after which a quote opens a quoted scalar: line start (10), space, `[`, `{`, `,`, `:`. */
const BEFORE_QUOTE = new Set([10, 32, 91, 123, 44, 58]);

/**
 * True when every line is short and closes what it opens. `yaml` refuses implicit keys over 1,024 characters (js-yaml
 * does not), and is stricter than js-yaml about the indentation of the further lines of a quoted scalar or a flow
 * collection: a line over 1,024 characters, a quoted scalar or a flow collection spanning lines is left to `yaml`
 * (as is a line whose brackets merely look unbalanced, at no harm).
 */
function simpleLines(text: string): boolean {
  let open = 0; // flow collections opened and not closed on this line
  let quote = 0; // the quote character we are inside of, or 0
  let prev = 10; // the character before, outside quotes; 10 at a line's start
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (open !== 0 || quote !== 0 || i - start > 1024) return false;
      start = i + 1;
      prev = 10;
    } else if (quote === 34) {
      if (c === 92) i += text.charCodeAt(i + 1) === 10 ? 0 : 1; // an escape, but an escaped line break spans lines
      else if (c === 34) quote = 0;
    } else if (quote === 39) {
      if (c === 39 && text.charCodeAt(i + 1) === 39) i += 1;
      else if (c === 39) quote = 0;
    } else {
      if ((c === 34 || c === 39) && BEFORE_QUOTE.has(prev)) quote = c;
      else if (c === 35 && (prev === 10 || prev === 32)) i = text.indexOf('\n', i) - 1; // a comment, to the line's end
      else if (c === 91 || c === 123) open += 1;
      else if (c === 93 || c === 125) open -= 1;
      if (i < 0) break; // a comment on the last line, which has no line break
      prev = c;
    }
  }
  return open === 0 && quote === 0 && text.length - start <= 1024;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
