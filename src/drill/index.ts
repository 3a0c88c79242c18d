export { runDrill } from './run.js';
export { cleanupLeftovers, DRILL_TAG, DRILL_DEADLINE_TAG, DRILL_RUNNER_TAG } from './instance.js';
export { DrillScheduler } from './scheduler.js';
export { drillNotification, renderDrill } from './report.js';
export { executeDrill } from './execute.js';
export type { DrillResult } from './types.js';
