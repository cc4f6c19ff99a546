import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { StsCustomerRoles } from '../../../lambdas/adapters/aws/sts-customer-roles';
import { UpstreamThrottledError, UpstreamUnavailableError } from '../../../lambdas/core/errors';
import { parseRoleArn } from '../../../lambdas/domain/role-arn';
import { RoleRefusedError } from '../../../lambdas/ports/customer-roles';

const sts = mockClient(STSClient);
const ROLE = parseRoleArn('arn:aws:iam::210000005065:role/OrgConnectionsDiscovery', {
  trustedAccountId: '123456789012',
  allowedPartitions: ['aws'],
});
const EXPIRATION = new Date('2026-12-08T13:00:00Z');
const request = { role: ROLE, externalId: 'acme:secret', sessionName: 'role-test' };

function stsError(name: string) {
  return new STSServiceException({ name, $fault: 'client', $metadata: {}, message: name });
}

beforeEach(() => sts.reset());

describe('StsCustomerRoles.assumeRole', () => {
  it("asks for the shortest session with the External ID, and the session runs out when STS's credentials do", async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAX', SecretAccessKey: 's', SessionToken: 't', Expiration: EXPIRATION },
    });

    const session = await new StsCustomerRoles(new STSClient({ region: 'eu-west-1' })).assumeRole(request);

    expect(session.expiresAt).toEqual(EXPIRATION);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE.arn,
      RoleSessionName: 'role-test',
      ExternalId: 'acme:secret',
      DurationSeconds: 900,
    });
  });

  it('reads AccessDenied as a refusal: a trust policy that refuses us, or no such role', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));

    const assumed = new StsCustomerRoles(new STSClient({})).assumeRole(request);

    await expect(assumed).rejects.toBeInstanceOf(RoleRefusedError);
  });

  it('reads throttling as throttled, to be retried later', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling'));

    const assumed = new StsCustomerRoles(new STSClient({})).assumeRole(request);

    await expect(assumed).rejects.toBeInstanceOf(UpstreamThrottledError);
  });

  it('reads an answer without credentials as STS unavailable', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: undefined });

    const assumed = new StsCustomerRoles(new STSClient({})).assumeRole(request);

    await expect(assumed).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });
});
