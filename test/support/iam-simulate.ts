import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../../src/iam/document.js';

/** One request as IAM sees it: the action, the resource it is authorized on, and the request context. */
export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export const ACCOUNT = '123456789012';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/ballast-controller`;

/**
 * IAM's decision for the request under the identity policies, evaluated from the service authorization reference:
 * a context key the action does not support is dropped before the conditions are evaluated, as IAM does.
 */
export function decide(policies: PolicyDocument[], request: IamRequest): Promise<string> {
  const key = JSON.stringify([policies, request]);
  if (!decisions.has(key)) decisions.set(key, evaluate(policies, request));
  return decisions.get(key)!;
}

/** Scenarios repeat requests (the same role passed, the same group used): each is evaluated once per policy. */
const decisions = new Map<string, Promise<string>>();

/** KMS also needs the key policy to allow: the default one delegates to the account's IAM policies. */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

async function evaluate(policies: PolicyDocument[], request: IamRequest): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: policies.map((policy, i) => ({ name: `ballast-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.action.startsWith('kms:') && { resourcePolicy: DEFAULT_KEY_POLICY }),
      request: { action: request.action, principal: PRINCIPAL, resource: { accountId: ACCOUNT, resource: request.resource }, contextVariables: request.context ?? {} },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${request.action} on ${request.resource}: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}
