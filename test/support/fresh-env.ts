/**
 * Each test file starts from the environment its worker started with. Workers keep their modules between files
 * (isolate: false), so a variable one file set (an emulator's endpoint, a token) would otherwise reach the next.
 */
const worker = globalThis as { ballastWorkerEnv?: NodeJS.ProcessEnv };
worker.ballastWorkerEnv ??= { ...process.env };
for (const key of Object.keys(process.env)) if (!(key in worker.ballastWorkerEnv)) delete process.env[key];
Object.assign(process.env, worker.ballastWorkerEnv);
