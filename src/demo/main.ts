import { runDemo } from './run.js';

process.exitCode = await runDemo();
