import fc from 'fast-check';
import { SandboxCustomerRoles } from '../../lambdas/adapters/sandbox/sandbox-customer-roles';
import type { SandboxOrganization } from '../../lambdas/adapters/sandbox/sandbox-organization';
import { parseRoleArn } from '../../lambdas/domain/role-arn';
import { RoleRefusedError } from '../../lambdas/ports/customer-roles';
import { loadSandboxOrganization } from '../../local/sandbox-org';
import { PLATFORM } from './cloudformation';
import { ALLOW_ALL, caseCounter, type Decision, decide, decideAssumeRole } from './evaluator';
import { CONSUMERS, customerRole, type SynthesizedPlatform, synthesizedPlatform } from './platform';

/*
 * The local runtime's sandbox simulates IAM itself: the trust of the roles customers deploy,
 * and SCPs (which its health simulation reports). Here it answers generated cases beside the
 * independent evaluator, which reads the same templates: the two must agree on every one.
 */

jest.setTimeout(300_000);

const RUNS = 200;
const OTHER_ACCOUNT = '999988887777';
const counter = caseCounter('sandbox cross-check');

let sandbox: SandboxOrganization;
let platform: SynthesizedPlatform;

beforeAll(async () => {
  sandbox = await loadSandboxOrganization('local/sandbox-org.yaml', PLATFORM.account);
  platform = synthesizedPlatform();
});

afterAll(() => counter.report());

const word = fc.stringMatching(/^[A-Za-z0-9_+=,.@-]{1,24}$/);

describe('the sandbox trusts what AWS would trust', () => {
  const accounts = () =>
    sandbox
      .snapshot()
      .accounts.filter((account) => account.state === 'ACTIVE')
      .map((account) => account.id);

  it(`agrees with the evaluator on ${RUNS} generated AssumeRole calls`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          template: fc.constantFrom('management-account-role', 'member-account-role', 'single-account-role'),
          account: fc.constantFrom(...accounts()),
          roleName: fc.stringMatching(/^[A-Za-z][A-Za-z0-9+=,.@_-]{0,30}$/),
          externalId: word.map((random) => `tenant:${random}`),
          asked: fc.constantFrom('right', 'wrong', 'none'),
          caller: fc.constantFrom('platform', 'elsewhere'),
          sourceIdentity: fc.option(fc.constantFrom(...CONSUMERS.map((consumer) => consumer.name)), {
            nil: undefined,
          }),
          tags: fc.option(fc.record({ tenant: word, workspace: word, consumer: word }), { nil: undefined }),
        }),
        async (generated) => {
          const role = customerRole(generated.template, generated.account, {
            RoleName: generated.roleName,
            ExternalId: generated.externalId,
            TrustedAccountId: PLATFORM.account,
          });
          sandbox.deployments.createRole({
            accountId: generated.account,
            roleName: generated.roleName,
            externalId: generated.externalId,
          });
          const externalId =
            generated.asked === 'right'
              ? generated.externalId
              : generated.asked === 'wrong'
                ? `${generated.externalId}-x`
                : undefined;
          const call = {
            ...(externalId === undefined ? {} : { externalId }),
            ...(generated.sourceIdentity === undefined ? {} : { sourceIdentity: generated.sourceIdentity }),
            ...(generated.tags === undefined ? {} : { tags: generated.tags }),
          };
          const fromPlatform = generated.caller === 'platform';
          const evaluated = decideAssumeRole({
            principal: fromPlatform
              ? platform.roleArn('CredentialsBroker')
              : `arn:aws:iam::${OTHER_ACCOUNT}:role/Caller`,
            identityPolicies: fromPlatform ? platform.policiesOf('CredentialsBroker') : [ALLOW_ALL],
            role: role.arn,
            trust: role.trust,
            ...call,
          });
          const sts = new SandboxCustomerRoles(sandbox, fromPlatform ? PLATFORM.account : OTHER_ACCOUNT);
          const simulated = sts
            .issueSession({
              role: parseRoleArn(role.arn, {
                trustedAccountId: PLATFORM.account,
                allowedPartitions: ['aws'],
              }),
              sessionName: 'cross-check',
              durationSeconds: 900,
              externalId: externalId as string,
              ...(call.sourceIdentity === undefined ? {} : { sourceIdentity: call.sourceIdentity }),
              ...(call.tags === undefined ? {} : { tags: call.tags }),
            })
            .then(
              (): Decision => 'Allowed',
              (error: unknown): Decision => {
                if (error instanceof RoleRefusedError) return 'Denied';
                throw error;
              },
            );
          await counter.expect(simulated, await evaluated);
        },
      ),
      { numRuns: RUNS, seed: 30 },
    );
  });
});

describe("the sandbox's SCPs deny what AWS's would", () => {
  /** Actions on no particular resource, so one request weighs the SCPs alone. */
  const ACTIONS = [
    'organizations:ListRoots',
    'organizations:DescribeOrganization',
    's3:ListAllMyBuckets',
    'ec2:DescribeRegions',
    'iam:ListRoles',
  ];
  /** The SCP AWS attaches everywhere by default allows all: as our ALLOW_ALL. */
  const FULL_ACCESS = ALLOW_ALL;

  /** The targets from the root down to the account: where SCPs apply to it. */
  function pathOf(accountId: string): string[] {
    const { root, organizationalUnits, accounts } = sandbox.snapshot();
    const parents = new Map<string, string>([
      ...organizationalUnits.map((ou) => [ou.id, ou.parentId] as [string, string]),
      ...accounts.map((account) => [account.id, account.parentId] as [string, string]),
    ]);
    const path = [accountId];
    for (let id = parents.get(accountId); id !== undefined && id !== root.id; id = parents.get(id))
      path.unshift(id);
    return [root.id, ...path];
  }

  it(`agrees with the evaluator on ${RUNS} generated organizations of SCPs`, async () => {
    const { root, organizationalUnits, accounts } = sandbox.snapshot();
    const targets = [
      root.id,
      ...organizationalUnits.map((ou) => ou.id),
      ...accounts.map((account) => account.id),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          policies: fc.dictionary(fc.constantFrom(...targets), fc.subarray(ACTIONS, { minLength: 1 }), {
            maxKeys: 4,
          }),
          account: fc.constantFrom(...accounts.map((account) => account.id)),
          action: fc.constantFrom(...ACTIONS),
        }),
        async ({ policies, account, action }) => {
          for (const target of targets) sandbox.policies.detach(target);
          for (const [target, denied] of Object.entries(policies)) sandbox.policies.attach(target, denied);
          // AWS applies no SCP to the management account; every other level has FullAWSAccess.
          const levels =
            account === sandbox.managementAccountId
              ? []
              : pathOf(account).map((target) => ({
                  orgIdentifier: target,
                  policies: [
                    { name: 'FullAWSAccess', policy: FULL_ACCESS },
                    ...(policies[target]
                      ? [
                          {
                            name: 'deny',
                            policy: {
                              Version: '2012-10-17',
                              Statement: [{ Effect: 'Deny', Action: policies[target], Resource: '*' }],
                            },
                          },
                        ]
                      : []),
                  ],
                }));
          const evaluated = decide({
            principal: `arn:aws:iam::${account}:role/OrgConnectionsReadOnly`,
            action,
            resource: '*',
            resourceAccount: account,
            identityPolicies: [ALLOW_ALL],
            serviceControlPolicies: levels,
          });
          const simulated = Promise.resolve<Decision>(
            sandbox.policies.denies(account, action) ? 'Denied' : 'Allowed',
          );
          await counter.expect(simulated, await evaluated);
        },
      ),
      { numRuns: RUNS, seed: 30 },
    );
  });
});
