/**
 * Each test file starts from the environment its worker started with. Workers keep their modules between files
 * (isolate: false), so a variable one file set (an emulator's endpoint, a token) would otherwise reach the next.
 * vitest's own variables (VITEST_*) it sets anew for each file, and they are left alone.
 */
const worker = globalThis as { ballastWorkerEnv?: NodeJS.ProcessEnv };
const ours = (key: string) => !key.startsWith('VITEST_');
worker.ballastWorkerEnv ??= Object.fromEntries(Object.entries(process.env).filter(([key]) => ours(key)));
for (const key of Object.keys(process.env)) if (ours(key) && !(key in worker.ballastWorkerEnv)) delete process.env[key];
Object.assign(process.env, worker.ballastWorkerEnv);
