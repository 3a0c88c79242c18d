import { defineConfig } from 'vitest/config';
import LongestFirst from './test/support/sequencer.js';
import { TEST_WORKERS } from './test/support/workers.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/fresh-env.ts', 'test/support/temp-cleanup.ts'],
    maxWorkers: TEST_WORKERS,
    sequence: { sequencer: LongestFirst },
    // A worker keeps its loaded modules from one file to the next: importing the SDK clients anew for every file cost
    // more than a third of the suite's CPU. No test relies on fresh module state (no module mocks, no global registry).
    isolate: false,
    // Above the waits for one event (test/support/wait.ts), so a wait that runs out names what it waited for.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The SDK's notice that it will need Node 22 in 2027 would repeat in every test file.
    // The CLI's task-definition cache would outlive an emulator reset (revision ARNs repeat): tests opt in per test.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', BALLAST_CACHE_DIR: 'off' },
  },
});
