import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs for each mutant (`npm run mutation`): the pure tests of the modules it mutates. They need
 * no emulator, so each mutant costs seconds, not the minutes of the whole suite.
 */
export default defineConfig({
  test: {
    include: [
      'test/plan/**/*.test.ts',
      'test/report/redact.test.ts',
      'test/report/notify.test.ts',
      'test/source/webhook.test.ts',
      'test/validate/invalid.test.ts',
      'test/validate/windows.test.ts',
      'test/diff/compare.test.ts',
      'test/engine/ownership.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
