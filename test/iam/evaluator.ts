import { appendFileSync } from 'node:fs';
import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import {
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
  type SimulationOrgPolicies,
} from '@cloud-copilot/iam-simulate';

/*
 * The independent IAM evaluator (@cloud-copilot/iam-simulate, AGPL-3.0: a development
 * dependency of this suite only, never bundled). It fills in no context key by itself, so each
 * request names every key AWS would set; and it decides nothing it cannot read: an unknown
 * action, a malformed policy or an operator it does not support is an error, and a context key
 * it would drop is an error too, except where AWS itself shares it (below).
 */

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
}

export interface IamRequest {
  /** The calling role's ARN (a session of it: `aws:PrincipalArn` is the role's). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** The caller's own policies. */
  readonly identityPolicies: readonly PolicyDocument[];
  /** The resource's policy: a role's trust policy, a function's permissions, a bus's policy. */
  readonly resourcePolicy?: PolicyDocument;
  /** The SCPs over the caller's account, the root's first. */
  readonly serviceControlPolicies?: readonly SimulationOrgPolicies[];
}

export type Decision = 'Allowed' | 'Denied';

/** Everything, everywhere: an account's own policy where only the other side is under test. */
export const ALLOW_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** The keys AWS sets on every request of a principal in an account, from the principal's ARN. */
function principalContext(principal: string): Record<string, string> {
  const account = /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
  if (!account) throw new Error(`not a principal ARN: ${principal}`);
  return {
    'aws:PrincipalArn': principal,
    'aws:PrincipalAccount': account,
    'aws:PrincipalType': 'AssumedRole',
  };
}

function simulationOf(request: IamRequest, context: Record<string, string | string[]>): Simulation {
  return {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount },
      contextVariables: context,
    },
    identityPolicies: request.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [...(request.serviceControlPolicies ?? [])],
    resourceControlPolicies: [],
    ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
  };
}

/**
 * The evaluator's decision on one request. `sharedKeys` are keys of the API call the action is
 * part of, which AWS evaluates with every action of that call, while the evaluator's action
 * tables list them for the call's main action only (sts:ExternalId for the sts:TagSession of an
 * AssumeRole): with them the decision is taken on the whole context, after the same validation.
 */
export async function decide(request: IamRequest, sharedKeys: readonly string[] = []): Promise<Decision> {
  const context = {
    ...principalContext(request.principal),
    'aws:ResourceAccount': request.resourceAccount,
    ...(request.context as Record<string, string | string[]>),
  };
  const simulation = simulationOf(request, context);
  const answer = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (answer.resultType === 'error') {
    throw new Error(`the evaluator refused ${request.action}: ${JSON.stringify(answer.errors)}`);
  }
  if (answer.resultType !== 'single') throw new Error(`the evaluator expanded ${request.resource}`);
  const dropped = (answer.result.ignoredContextKeys ?? []).filter(
    (key) => !sharedKeys.some((shared) => shared.toLowerCase() === key.toLowerCase()),
  );
  if (dropped.length > 0) {
    throw new Error(`the evaluator cannot weigh ${dropped.join(', ')} for ${request.action}: no decision`);
  }
  // The same simulation, validated above, on the whole context. Its resource policy goes in
  // named, as the validated path names it.
  const overall =
    (answer.result.ignoredContextKeys ?? []).length === 0
      ? answer.overallResult
      : runUnsafeSimulation(
          {
            ...simulation,
            ...(request.resourcePolicy
              ? {
                  resourcePolicy: createValidatedPolicy(request.resourcePolicy, validateResourcePolicy, {
                    name: 'resource-policy',
                  }),
                }
              : {}),
          },
          { simulationMode: 'Strict' },
        );
  if (overall === 'Allowed') return 'Allowed';
  if (overall === 'ExplicitlyDenied' || overall === 'ImplicitlyDenied') return 'Denied';
  throw new Error(`the evaluator could not decide ${request.action}: ${String(overall)}`);
}

/** One AssumeRole call: the session's SourceIdentity and tags make it SetSourceIdentity and TagSession too. */
export interface AssumeRoleCall {
  readonly principal: string;
  readonly identityPolicies: readonly PolicyDocument[];
  readonly role: string;
  readonly trust: PolicyDocument;
  readonly externalId?: string;
  readonly sourceIdentity?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** The keys of an AssumeRole request: STS weighs them for each action the call implies. */
const ASSUME_ROLE_KEYS = ['sts:ExternalId', 'sts:SourceIdentity', 'sts:RoleSessionName'];

/** Allowed when every action the call implies is allowed, each with the whole call's context. */
export async function decideAssumeRole(call: AssumeRoleCall): Promise<Decision> {
  const account = /^arn:[\w-]+:iam::(\d{12}):role\//.exec(call.role)?.[1];
  if (!account) throw new Error(`not a role ARN: ${call.role}`);
  const tags = call.tags ?? {};
  const context: Record<string, string | string[]> = {
    'sts:RoleSessionName': 'evaluated-session',
    ...(call.externalId === undefined ? {} : { 'sts:ExternalId': call.externalId }),
    ...(call.sourceIdentity === undefined ? {} : { 'sts:SourceIdentity': call.sourceIdentity }),
    ...(Object.keys(tags).length === 0 ? {} : { 'aws:TagKeys': Object.keys(tags) }),
    ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:RequestTag/${key}`, value])),
  };
  const actions = [
    'sts:AssumeRole',
    ...(call.sourceIdentity === undefined ? [] : ['sts:SetSourceIdentity']),
    ...(Object.keys(tags).length === 0 ? [] : ['sts:TagSession']),
  ];
  for (const action of actions) {
    const decision = await decide(
      {
        principal: call.principal,
        action,
        resource: call.role,
        resourceAccount: account,
        context,
        identityPolicies: call.identityPolicies,
        resourcePolicy: call.trust,
      },
      ASSUME_ROLE_KEYS,
    );
    if (decision === 'Denied') return 'Denied';
  }
  return 'Allowed';
}

/**
 * Counts the cases a suite proved, for the CI summary: one line per suite in the file named by
 * IAM_CASES_FILE, when it is set.
 */
export function caseCounter(suite: string) {
  let cases = 0;
  return {
    async expect(decision: Promise<Decision>, expected: Decision): Promise<void> {
      cases += 1;
      await expect(decision).resolves.toBe(expected);
    },
    report(): void {
      const file = process.env.IAM_CASES_FILE;
      if (file) appendFileSync(file, `${JSON.stringify({ suite, cases })}\n`);
    },
  };
}
