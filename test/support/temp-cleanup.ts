import { afterEach } from 'vitest';
import { removeTempDirs } from './temp.js';

// Registered for every test file, at its top level: runs after the hooks of its describe blocks (which stop what may
// still use the folders).
afterEach(removeTempDirs);
