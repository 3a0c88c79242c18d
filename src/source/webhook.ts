import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PushEvent {
  /** Full ref name, e.g. "refs/heads/main". */
  ref: string;
  /** Commit id the ref points at after the push (all zeros when the branch was deleted). */
  after: string;
}

/** GitHub's X-Hub-Signature-256 value for a body. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True only when the header is GitHub's HMAC-SHA256 of the raw body under the secret. */
export function verifySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  // With an empty key anyone can compute the signature.
  if (secret === '' || header === undefined) return false;
  // GitHub sends lowercase hex; anything else is not its signature.
  const hex = /^sha256=([0-9a-f]{64})$/.exec(header)?.[1];
  if (hex === undefined) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}

/** A branch deletion is a push whose new head is all zeros. */
export const isDeletion = (push: PushEvent) => /^0+$/.test(push.after);

/**
 * The ref and new head of a GitHub push event; undefined for any other event or a malformed body. GitHub sends the
 * JSON as the body (application/json) or as the `payload` form field (application/x-www-form-urlencoded).
 */
export function parsePush(rawBody: Buffer, contentType = 'application/json'): PushEvent | undefined {
  let payload: unknown;
  try {
    const text = rawBody.toString('utf8');
    payload = JSON.parse(contentType.startsWith('application/x-www-form-urlencoded') ? (new URLSearchParams(text).get('payload') ?? '') : text);
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { ref, after } = payload as Record<string, unknown>;
  if (typeof ref !== 'string' || !ref.startsWith('refs/')) return undefined;
  // SHA-1 or SHA-256 object ids.
  if (typeof after !== 'string' || !/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(after)) return undefined;
  return { ref, after };
}

/** Delivery ids seen lately (GitHub redelivers with the same id): a bounded memory, oldest forgotten first. */
export class RecentDeliveries {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 1_000) {}

  /** True the first time an id is seen. */
  first(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}
