/**
 * A planned call never holds a secret's value: it holds a reference, resolved only as the call is sent (see
 * resolve.ts). Plans, JSON, logs, Slack and /status show the reference, never what it points to.
 */
export interface SecretRef {
  fromSecret: {
    /** The secret's ARN (full, or partial without the random suffix). */
    secretArn: string;
    /** The JSON key holding the value. */
    key: string;
    /** The version to read; the current one (AWSCURRENT) when absent. */
    versionId?: string;
    /** `value` (the default) stands for the value at key, `versionId` for the id of the version read. */
    part?: 'versionId';
  };
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && 'fromSecret' in value;
}

export const secretValue = (secretArn: string, key: string, versionId?: string): SecretRef => ({
  fromSecret: { secretArn, key, ...(versionId && { versionId }) },
});

/** The id of the version whose value the same call sends (for a tag recording it). */
export const secretVersionId = (secretArn: string, key: string, versionId?: string): SecretRef => ({
  fromSecret: { secretArn, key, ...(versionId && { versionId }), part: 'versionId' },
});

/** Request fields that carry a secret's value once resolved: what the call counter keeps of them is a mask. */
const SECRET_INPUT_KEYS = new Set(['MasterUserPassword']);
const HIDDEN = '(sensitive)';

/** A copy of a request input with every secret-carrying field masked (one level deep, as the SDK inputs are). */
export function maskSecrets(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const entries = Object.entries(input as Record<string, unknown>);
  return entries.some(([k]) => SECRET_INPUT_KEYS.has(k)) ? Object.fromEntries(entries.map(([k, v]) => [k, SECRET_INPUT_KEYS.has(k) ? HIDDEN : v])) : input;
}
