import type { Condition, PolicyDocument } from './document.js';

/**
 * Whether a deployed policy grants what Ballast needs, grant by grant: each action on each resource pattern under its
 * condition must fall within an Allow statement whose action and resource patterns cover it and whose conditions are
 * the same or looser, and within no unconditional Deny. Conservative: a grant it cannot prove is reported missing.
 */

type OneOrMany = string | string[];

interface DeployedStatement {
  Effect: 'Allow' | 'Deny';
  Action?: OneOrMany;
  NotAction?: OneOrMany;
  Resource?: OneOrMany;
  NotResource?: OneOrMany;
  Condition?: Record<string, Record<string, OneOrMany | boolean | number>>;
}

export interface MissingGrant {
  sid: string;
  action: string;
  resource: string;
  condition?: Condition;
}

const list = (v: OneOrMany | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM wildcards: `*` any run of characters, `?` one. A `*` in what is needed is matched only by a `*` that covers it. */
function covers(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function matchesAction(st: DeployedStatement, action: string): boolean {
  if (st.NotAction !== undefined) return !list(st.NotAction).some((p) => covers(p, action, true));
  return list(st.Action).some((p) => covers(p, action, true));
}

function matchesResource(st: DeployedStatement, resource: string): boolean {
  if (st.NotResource !== undefined) return !list(st.NotResource).some((p) => covers(p, resource));
  return list(st.Resource).some((p) => covers(p, resource));
}

/** Every condition of the deployed statement is one the need carries too, with values it accepts. */
function conditionsCover(deployed: DeployedStatement['Condition'], needed: Condition | undefined): boolean {
  for (const [operator, keys] of Object.entries(deployed ?? {})) {
    for (const [key, allowed] of Object.entries(keys)) {
      const want = needed?.[operator]?.[key];
      if (want === undefined) return false;
      const accepted = list(allowed as OneOrMany).map(String);
      const like = operator.includes('Like');
      if (!list(want).every((w) => accepted.some((a) => (like ? covers(a, w) : a === w)))) return false;
    }
  }
  return true;
}

/** A policy document, a list of them (the managed policies `iam-policy` prints), or `aws iam get-role-policy` output. */
export function deployedStatements(json: unknown): DeployedStatement[] {
  const docs = Array.isArray(json) ? json : [json];
  return docs.flatMap((d: unknown) => {
    const doc = (d as { PolicyDocument?: unknown })?.PolicyDocument ?? d;
    const parsed = typeof doc === 'string' ? (JSON.parse(decodeURIComponent(doc)) as unknown) : doc;
    const statements = (parsed as { Statement?: unknown })?.Statement;
    if (statements === undefined) throw new Error('not an IAM policy document: no Statement');
    return (Array.isArray(statements) ? statements : [statements]) as DeployedStatement[];
  });
}

export function missingGrants(needed: PolicyDocument, deployed: DeployedStatement[]): MissingGrant[] {
  const missing: MissingGrant[] = [];
  for (const need of needed.Statement) {
    for (const action of need.Action) {
      for (const resource of need.Resource) {
        const relevant = (st: DeployedStatement) => matchesAction(st, action) && matchesResource(st, resource);
        const denied = deployed.some((st) => st.Effect === 'Deny' && !st.Condition && relevant(st));
        const allowed = deployed.some((st) => st.Effect === 'Allow' && relevant(st) && conditionsCover(st.Condition, need.Condition));
        if (denied || !allowed) missing.push({ sid: need.Sid, action, resource, ...(need.Condition && { condition: need.Condition }) });
      }
    }
  }
  return missing;
}
