// The parser-only baselines for the validate measure: read every file, parse all documents to values, nothing else.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import jsyaml from 'js-yaml';

const [parser, root] = process.argv.slice(2);
const files = readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
  .map((e) => path.join(e.parentPath, e.name));
let documents = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  if (parser === 'yaml') for (const d of parseAllDocuments(text)) documents += d.toJS() ? 1 : 0;
  else if (parser === 'js-yaml') jsyaml.loadAll(text, () => (documents += 1), { schema: jsyaml.CORE_SCHEMA });
  else throw new Error(`unknown parser ${parser}`);
}
console.log(JSON.stringify({ files: files.length, documents }));
