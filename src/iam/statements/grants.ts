import type { Statement } from '../document.js';

/** What the kinds add up: scoped statements (one per Sid), and the read actions that take no resource ARN. */
export interface Grants {
  statements: Map<string, Statement>;
  unscoped: Set<string>;
}

/** Kinds share some statements (e.g. the RDS read): the same Sid is the same statement, added once. */
export function add(grants: Grants, ...statements: Statement[]): void {
  for (const st of statements) if (!grants.statements.has(st.Sid)) grants.statements.set(st.Sid, st);
}
