import { isDeepStrictEqual } from 'node:util';
import type { FieldChange } from '../engine/types.js';

/** Order-insensitive comparison for lists that AWS may return in any order (subnets, groups, actions). */
function sameSet(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  const key = (v: unknown) => JSON.stringify(v);
  const left = [...(a ?? [])].map(key).sort();
  const right = [...(b ?? [])].map(key).sort();
  return isDeepStrictEqual(left, right);
}

/** Numbers compare equal to their numeric strings ("512" == 512), as AWS returns some sizes as strings. */
export function sameValue(live: unknown, desired: unknown): boolean {
  if (typeof live === 'string' && typeof desired === 'number') return live.trim() !== '' && Number(live) === desired;
  if (typeof live === 'number' && typeof desired === 'string') return desired.trim() !== '' && Number(desired) === live;
  return isDeepStrictEqual(live, desired);
}

/** "16" matches "16.3" and "16.3.1"; "16.3" does not match "16.4". */
export function versionMatches(desired: string, live: string | undefined): boolean {
  if (live === undefined) return false;
  return live === desired || live.startsWith(`${desired}.`);
}

/** The last path segment of an ARN (or the name itself): "arn:…:task-definition/web:3" -> "web:3". */
export function arnName(value: string): string {
  return value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
}

/**
 * Collects field changes. `field` is called only for fields the manifest states (desired !== undefined),
 * which is what keeps unmanaged fields out of every diff.
 */
export class Changes {
  readonly list: FieldChange[] = [];

  field(path: string, live: unknown, desired: unknown, extra: Partial<FieldChange> = {}): void {
    if (desired === undefined || sameValue(live, desired)) return;
    this.list.push({ path, live: live ?? null, desired, ...extra });
  }

  set(path: string, live: readonly unknown[] | undefined, desired: readonly unknown[] | undefined): void {
    if (desired === undefined || sameSet(live, desired)) return;
    this.list.push({ path, live: live ?? null, desired });
  }
}
