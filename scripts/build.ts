/**
 * `npm run build` (and `npm ci`, through `prepare`): bundles src/ into dist/ with esbuild, one entry point per program
 * (the CLI, the demo, the loader's worker thread), commands loaded on demand in chunks of their own.
 *
 * Why a bundle: Node resolves and reads every file of the AWS SDK clients one by one, and from their CommonJS builds
 * whole; bundled from their ES modules, only what Ballast uses stays. `ballast run` took about 3.6 s of CPU to load
 * and takes about 1.5 s. Other dependencies stay in node_modules, loaded as published (pino, fastify and ajv find
 * files of their own at run time). No type checking: `npm run typecheck`.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY_POINTS = ['src/cli/entry.ts', 'src/demo/main.ts', 'src/isolated-load/worker.ts'];

/** Every dependency but the AWS SDK's packages (theirs, @smithy/*, are not dependencies of ours: bundled too). */
function externals(): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
  return Object.keys(pkg.dependencies).filter((name) => !name.startsWith('@aws-sdk/'));
}

export async function buildDist(outdir = 'dist'): Promise<void> {
  // Emptied first: a chunk of an earlier build must not stay importable.
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: ENTRY_POINTS,
    outbase: 'src',
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The SDK's ES modules (`module`), which esbuild can trim, rather than its CommonJS (`main`).
    mainFields: ['module', 'main'],
    external: externals(),
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildDist();
