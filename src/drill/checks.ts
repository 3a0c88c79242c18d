import type { DBInstance } from '@aws-sdk/client-rds';
import type { DrillSpec } from './spec.js';
import type { CheckResult } from './types.js';

type Custom = NonNullable<DrillSpec['checks']['custom']>[number];

/** The checks the drill states, on the copy as last described (pure). */
export function runChecks(spec: DrillSpec, source: DBInstance, copy: DBInstance): CheckResult[] {
  const c = spec.checks;
  const out: CheckResult[] = [];
  if (c.status) {
    const status = copy.DBInstanceStatus ?? 'unknown';
    out.push({ name: 'status', passed: status === 'available', detail: status });
  }
  if (c.engineVersion) {
    out.push({
      name: 'engine-version',
      passed: copy.EngineVersion === source.EngineVersion,
      detail: `${copy.Engine ?? ''} ${copy.EngineVersion ?? 'unknown'} (source ${source.EngineVersion ?? 'unknown'})`.trim(),
    });
  }
  if (c.encryption) out.push(encryptionCheck(source, copy));
  if (c.multiAZ !== undefined) {
    const multiAZ = copy.MultiAZ ?? false;
    out.push({ name: 'multi-az', passed: multiAZ === c.multiAZ, detail: `Multi-AZ ${multiAZ} (expected ${c.multiAZ})` });
  }
  for (const custom of c.custom ?? []) out.push(customCheck(custom, copy));
  return out;
}

function encryptionCheck(source: DBInstance, copy: DBInstance): CheckResult {
  const encrypted = copy.StorageEncrypted ?? false;
  const sourceEncrypted = source.StorageEncrypted ?? false;
  if (encrypted !== sourceEncrypted) {
    return { name: 'encryption', passed: false, detail: `storage encrypted ${encrypted}, source ${sourceEncrypted}` };
  }
  if (encrypted && copy.KmsKeyId !== source.KmsKeyId) {
    return { name: 'encryption', passed: false, detail: `KMS key ${copy.KmsKeyId ?? 'none'}, source ${source.KmsKeyId ?? 'none'}` };
  }
  return { name: 'encryption', passed: true, detail: encrypted ? `encrypted with the source's KMS key ${copy.KmsKeyId ?? ''}`.trim() : 'not encrypted, as the source' };
}

function customCheck({ name, expect }: Custom, copy: DBInstance): CheckResult {
  const findings: { ok: boolean; text: string }[] = [];
  if (expect.allocatedStorageAtLeastGiB !== undefined) {
    const size = copy.AllocatedStorage ?? 0;
    findings.push({ ok: size >= expect.allocatedStorageAtLeastGiB, text: `storage ${size} GiB (at least ${expect.allocatedStorageAtLeastGiB})` });
  }
  if (expect.storageType !== undefined) {
    findings.push({ ok: copy.StorageType === expect.storageType, text: `storage type ${copy.StorageType ?? 'unknown'} (expected ${expect.storageType})` });
  }
  if (expect.parameterGroup !== undefined) {
    const group = copy.DBParameterGroups?.[0]?.DBParameterGroupName;
    findings.push({ ok: group === expect.parameterGroup, text: `parameter group ${group ?? 'none'} (expected ${expect.parameterGroup})` });
  }
  if (expect.tagsPresent !== undefined) {
    const keys = new Set((copy.TagList ?? []).map((t) => t.Key));
    const missing = expect.tagsPresent.filter((k) => !keys.has(k));
    findings.push({ ok: missing.length === 0, text: missing.length === 0 ? `tags ${expect.tagsPresent.join(', ')} present` : `tags missing: ${missing.join(', ')}` });
  }
  // Failures first: they are what a reader of a failed drill needs.
  const failed = findings.filter((f) => !f.ok);
  return { name, passed: failed.length === 0, detail: (failed.length > 0 ? failed : findings).map((f) => f.text).join('; ') };
}
