import { AppError } from '../../../lambdas/core/errors';
import { parseRoleArn, roleIdentity } from '../../../lambdas/domain/role-arn';

const RULES = { trustedAccountId: '123456789012', allowedPartitions: ['aws', 'aws-us-gov'] as const };

function failure(arn: string): { code: string; message: string } {
  try {
    parseRoleArn(arn, { ...RULES, allowedPartitions: [...RULES.allowedPartitions] });
  } catch (error: unknown) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`${arn} was accepted`);
}

describe('parseRoleArn', () => {
  it('reads a plain role ARN', () => {
    expect(
      parseRoleArn('arn:aws:iam::210987654321:role/OrgConnectionsDiscovery', {
        ...RULES,
        allowedPartitions: ['aws'],
      }),
    ).toEqual({
      arn: 'arn:aws:iam::210987654321:role/OrgConnectionsDiscovery',
      partition: 'aws',
      accountId: '210987654321',
      path: '/',
      name: 'OrgConnectionsDiscovery',
    });
  });

  it('reads a path and every character IAM allows in a name', () => {
    const role = parseRoleArn('arn:aws-us-gov:iam::210987654321:role/team/ops/My+Role=1,a.b@c_d-e', {
      ...RULES,
      allowedPartitions: ['aws-us-gov'],
    });

    expect(role).toMatchObject({ partition: 'aws-us-gov', path: '/team/ops/', name: 'My+Role=1,a.b@c_d-e' });
  });

  it.each([
    ['not an ARN', 'OrgConnectionsDiscovery', 'This is not an ARN.'],
    ['an IAM user', 'arn:aws:iam::210987654321:user/alice', 'This is an IAM user, not a role.'],
    ['the root user', 'arn:aws:iam::210987654321:root', 'This is the account root user, not a role.'],
    [
      'a role session',
      'arn:aws:sts::210987654321:assumed-role/Admin/alice',
      'This is the ARN of a role session, not of a role.',
    ],
    [
      'a service-linked role',
      'arn:aws:iam::210987654321:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport',
      'This is a service-linked role, which only its AWS service may assume.',
    ],
    ['another service', 'arn:aws:s3:::my-bucket', 'This is an ARN of s3, not of IAM.'],
    ['a region in an IAM ARN', 'arn:aws:iam:us-east-1:210987654321:role/x', 'IAM ARNs have no region.'],
    ['an 11-digit account', 'arn:aws:iam::21098765432:role/x', 'The account id must be 12 digits.'],
    [
      'a name of 65 characters',
      `arn:aws:iam::210987654321:role/${'a'.repeat(65)}`,
      'The role path or name is malformed.',
    ],
    ['an empty name', 'arn:aws:iam::210987654321:role/', 'The role path or name is malformed.'],
    [
      'a forbidden character',
      'arn:aws:iam::210987654321:role/bad*name',
      'The role path or name is malformed.',
    ],
    ['a group', 'arn:aws:iam::210987654321:group/admins', 'This ARN does not name a role.'],
    ['our own account', 'arn:aws:iam::123456789012:role/x', 'This role is in our own account.'],
  ])('refuses %s with INVALID_ROLE_ARN', (_, arn, message) => {
    expect(failure(arn)).toEqual({ code: 'INVALID_ROLE_ARN', message });
  });

  it.each([
    ['a partition we do not know', 'arn:aws-iso:iam::210987654321:role/x'],
    ['a known partition this deployment does not allow', 'arn:aws-cn:iam::210987654321:role/x'],
  ])('refuses %s with UNSUPPORTED_PARTITION', (_, arn) => {
    expect(failure(arn).code).toBe('UNSUPPORTED_PARTITION');
  });
});

describe('roleIdentity', () => {
  it('names a role the same way whatever its case or path, as IAM does', () => {
    const rules = { ...RULES, allowedPartitions: ['aws' as const] };
    const a = parseRoleArn('arn:aws:iam::210987654321:role/Discovery', rules);
    const b = parseRoleArn('arn:aws:iam::210987654321:role/team/discovery', rules);

    expect(roleIdentity(a)).toBe(roleIdentity(b));
  });
});
