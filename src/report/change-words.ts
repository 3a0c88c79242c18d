import { redactValue, show } from './redact.js';

export interface ChangeFact {
  path: string;
  live: unknown;
  desired: unknown;
}

const MAX_VALUE = 80;

/** `public.ecr.aws/shop/storefront:2.4.0` -> repository `shop/storefront` and tag `2.4.0`. */
function image(ref: string): { repository: string; tag: string } {
  const at = ref.search(/[@:][^/:@]*$/);
  const name = at > 0 && ref.lastIndexOf('/') < at ? ref.slice(0, at) : ref;
  const tag = name === ref ? 'latest' : ref.slice(at + 1);
  return { repository: name.split('/').slice(-2).join('/'), tag };
}

/**
 * One field change as people say it: `image shop/storefront 2.3.1 -> 2.4.0`, `cpu 512 -> 1024`,
 * `app environment {...} -> {...}`; secret-looking values stay hidden.
 */
export function changeInWords(c: ChangeFact): string {
  const live = redactValue(c.path, c.live);
  const desired = redactValue(c.path, c.desired);
  const container = /^spec\.containers\[([^\]]+)\]\.(.+)$/.exec(c.path);
  if (container?.[2] === 'image' && typeof live === 'string' && typeof desired === 'string') {
    const [from, to] = [image(live), image(desired)];
    if (from.repository === to.repository) return `image ${to.repository} ${from.tag} -> ${to.tag}`;
  }
  const field = container ? `${container[1]} ${container[2]}` : c.path.replace(/^spec\./, '');
  return `${field} ${c.live === null ? '(none)' : plain(live)} -> ${plain(desired)}`;
}

/** Strings as people write them (no JSON quotes); anything else as short JSON. */
function plain(value: unknown): string {
  if (typeof value !== 'string') return show(value, MAX_VALUE);
  return value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE - 1)}…` : value;
}

export function describeChanges(changes: ChangeFact[]): string {
  return changes.map(changeInWords).join('; ');
}
