import type { Kind } from '../schema/index.js';
import type { Reconciler } from './types.js';

/** One reconciler per kind; the engine knows no kind beyond this table. */
export type Registry = { [K in Kind]: Reconciler<K, unknown> };
export type AnyReconciler = Registry[Kind];
