/**
 * `npm run bench`: the quick figures (bench/quick.ts), or with `--estate bench` the 1,000-service estate
 * (bench/estate/run.ts). Each is imported only when chosen, so one never loads what only the other needs.
 */
if (process.argv.includes('--estate')) {
  const estate = process.argv[process.argv.indexOf('--estate') + 1];
  if (estate !== 'bench') throw new Error(`unknown estate ${estate} (known: bench)`);
  await import('./estate/run.js'); // exits with the estate's result
} else {
  await import('./quick.js');
}
