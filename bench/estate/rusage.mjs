// Preloaded into a measured child process (node --import): writes its CPU time, wall time and peak RSS at exit.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
process.on('exit', () => {
  const u = process.resourceUsage();
  if (file) writeFileSync(file, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, wallMs: performance.now(), maxRssMiB: u.maxRSS / 1024 }));
});
