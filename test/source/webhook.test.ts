import { describe, expect, it } from 'vitest';
import { isDeletion, parsePush, RecentDeliveries, signBody, verifySignature } from '../../src/source/webhook.js';

const secret = "It's a Secret to Everybody";
const body = Buffer.from('Hello, World!');
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('verifySignature', () => {
  it('accepts the signature GitHub documents for its example payload', () => {
    // From GitHub's "Validating webhook deliveries" guide.
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signBody(secret, body)).toBe(header);
    expect(verifySignature(secret, body, header)).toBe(true);
  });

  it('rejects a missing header', () => {
    expect(verifySignature(secret, body, undefined)).toBe(false);
    expect(verifySignature(secret, body, '')).toBe(false);
  });

  it('rejects malformed headers', () => {
    const hex = signBody(secret, body).slice('sha256='.length);
    for (const header of [hex, `sha1=${hex}`, `sha256:${hex}`, `sha256=${hex.slice(0, -1)}z`, ` sha256=${hex}`, `sha256=${hex}\n`]) {
      expect(verifySignature(secret, body, header), header).toBe(false);
    }
  });

  it('rejects a signature made with another secret', () => {
    expect(verifySignature(secret, body, signBody('another secret', body))).toBe(false);
  });

  it('rejects a tampered body', () => {
    expect(verifySignature(secret, Buffer.from('Hello, World?'), signBody(secret, body))).toBe(false);
  });

  it('rejects uppercase hex or prefix', () => {
    const good = signBody(secret, body);
    expect(verifySignature(secret, body, good.toUpperCase())).toBe(false);
    expect(verifySignature(secret, body, `sha256=${good.slice(7).toUpperCase()}`)).toBe(false);
  });

  it('rejects signatures of a different length without throwing', () => {
    const good = signBody(secret, body);
    expect(verifySignature(secret, body, good.slice(0, -2))).toBe(false);
    expect(verifySignature(secret, body, `${good}00`)).toBe(false);
    expect(verifySignature(secret, body, 'sha256=')).toBe(false);
  });

  it('rejects everything when no secret is configured', () => {
    expect(verifySignature('', body, signBody('', body))).toBe(false);
  });
});

describe('parsePush', () => {
  const push = (payload: unknown) => parsePush(Buffer.from(JSON.stringify(payload)));

  it('returns the ref and new head of a push event', () => {
    expect(push({ ref: 'refs/heads/main', before: '0'.repeat(40), after: SHA, repository: { full_name: 'o/r' } })).toEqual({
      ref: 'refs/heads/main',
      after: SHA,
    });
  });

  it('ignores a ping event', () => {
    expect(push({ zen: 'Keep it logically awesome.', hook_id: 1, hook: { type: 'Repository' } })).toBeUndefined();
  });

  it('ignores a create event, which carries a short ref and no head', () => {
    expect(push({ ref: 'main', ref_type: 'branch', master_branch: 'main' })).toBeUndefined();
  });

  it('ignores malformed bodies', () => {
    expect(parsePush(Buffer.from('{"ref": "refs/heads/main",'))).toBeUndefined();
    expect(parsePush(Buffer.from('payload=%7B%7D'))).toBeUndefined();
    expect(push(null)).toBeUndefined();
    expect(push(['refs/heads/main', SHA])).toBeUndefined();
    expect(push({ ref: 'refs/heads/main', after: 'not-a-sha' })).toBeUndefined();
    expect(push({ ref: 42, after: SHA })).toBeUndefined();
  });

  it('reads a form-encoded push from its payload field, and a SHA-256 head', () => {
    const sha256 = 'ab'.repeat(32);
    const form = new URLSearchParams({ payload: JSON.stringify({ ref: 'refs/heads/main', after: sha256 }) }).toString();
    expect(parsePush(Buffer.from(form), 'application/x-www-form-urlencoded')).toEqual({ ref: 'refs/heads/main', after: sha256 });
    // The same body sent as JSON is not JSON.
    expect(parsePush(Buffer.from(form))).toBeUndefined();
    expect(push({ ref: 'refs/heads/main', after: SHA.toUpperCase() })).toBeUndefined();
    expect(push({ ref: 'refs/heads/main', after: `${SHA}0` })).toBeUndefined();
    expect(push({ ref: 'refs/heads/main', after: ` ${SHA}` })).toBeUndefined();
    expect(push({ ref: 'heads/main', after: SHA })).toBeUndefined();
    expect(push({ ref: 'refs/heads/main', after: 'a' })).toBeUndefined();
    expect(push({ ref: 'refs/heads/main', after: [SHA] })).toBeUndefined();
    const charset = 'application/x-www-form-urlencoded; charset=utf-8';
    expect(parsePush(Buffer.from(form), charset)).toEqual({ ref: 'refs/heads/main', after: sha256 });
  });

  it('tells a branch deletion (new head all zeros) from a push', () => {
    expect(isDeletion({ ref: 'refs/heads/old', after: '0'.repeat(40) })).toBe(true);
    expect(isDeletion({ ref: 'refs/heads/main', after: `${'0'.repeat(39)}1` })).toBe(false);
    expect(isDeletion({ ref: 'refs/heads/main', after: `1${'0'.repeat(39)}` })).toBe(false);
  });
});

describe('RecentDeliveries', () => {
  it('knows a redelivery, and forgets the oldest id once full', () => {
    const seen = new RecentDeliveries(2);
    expect(seen.first('a')).toBe(true);
    expect(seen.first('a')).toBe(false);
    expect(seen.first('b')).toBe(true);
    expect(seen.first('c')).toBe(true);
    // 'a' was the oldest: forgotten; 'b' and 'c' are still known.
    expect(seen.first('b')).toBe(false);
    expect(seen.first('c')).toBe(false);
    expect(seen.first('a')).toBe(true);
  });
});
