import { stringify } from 'yaml';
import { ANNOTATIONS, type Kind } from '../schema/index.js';

/** A manifest as import writes it: adopting what exists, stating only what was read. */
export interface Draft {
  apiVersion: 'ballast.dev/v1alpha1';
  kind: Kind;
  metadata: { name: string; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

export function manifest(kind: Kind, name: string, spec: Record<string, unknown>): Draft {
  return { apiVersion: 'ballast.dev/v1alpha1', kind, metadata: { name, annotations: { [ANNOTATIONS.adopt]: 'true' } }, spec };
}

/** One YAML file of documents, each with the editor header (it covers only the document it starts). */
export function toYaml(drafts: Draft[], schemaPath: string): string {
  return drafts.map((d) => `# yaml-language-server: $schema=${schemaPath}\n${stringify(d, { lineWidth: 0 })}`).join('---\n');
}
