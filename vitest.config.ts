import { defineConfig } from 'vitest/config';
import { TEST_WORKERS } from './test/support/workers.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    maxWorkers: TEST_WORKERS,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The SDK's notice that it will need Node 22 in 2027 would repeat in every test file.
    // The CLI's task-definition cache would outlive an emulator reset (revision ARNs repeat): tests opt in per test.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', BALLAST_CACHE_DIR: 'off' },
  },
});
