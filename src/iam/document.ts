/** IAM policy documents as Ballast writes them: Allow statements only, Action and Resource always lists. */

export type Condition = Record<string, Record<string, string | string[]>>;

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

export const allow = (Sid: string, actions: string[], Resource: string[], Condition?: Condition): Statement => ({
  Sid,
  Effect: 'Allow',
  Action: [...new Set(actions)].sort(),
  Resource,
  ...(Condition && { Condition }),
});

export const document = (Statement: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });

/** The size IAM counts against its limits: the document without white space. */
export const policySize = (doc: PolicyDocument): number => JSON.stringify(doc).length;

/** The ARN partition of a region: China and GovCloud have their own; any region (`*`) and the rest are `aws`. */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
