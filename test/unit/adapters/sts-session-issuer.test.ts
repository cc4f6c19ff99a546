import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { StsSessionIssuer } from '../../../lambdas/adapters/aws/sts-session-issuer';
import { UpstreamThrottledError, UpstreamUnavailableError } from '../../../lambdas/core/errors';
import { SessionPolicyRejectedError, type SessionRequest } from '../../../lambdas/credentials/ports';
import { parseRoleArn } from '../../../lambdas/domain/role-arn';
import { RoleRefusedError } from '../../../lambdas/ports/customer-roles';

const sts = mockClient(STSClient);
const ROLE = parseRoleArn('arn:aws:iam::210000005065:role/OrgConnectionsReadOnly', {
  trustedAccountId: '123456789012',
  allowedPartitions: ['aws'],
});
const EXPIRATION = new Date('2026-11-30T13:00:00Z');

function stsError(name: string) {
  return new STSServiceException({ name, $fault: 'client', $metadata: {}, message: name });
}

const request: SessionRequest = {
  role: ROLE,
  externalId: 'acme:secret',
  sessionName: 'query-worker@ws-1@acme',
  durationSeconds: 3600,
  sourceIdentity: 'query-worker',
  tags: { tenant: 'acme', workspace: 'ws-1', consumer: 'query-worker' },
  policy: '{"Statement":[]}',
};

beforeEach(() => sts.reset());

describe('StsSessionIssuer.issueSession', () => {
  it('sends AssumeRole with the External ID, SourceIdentity, tags and policy, and returns the credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAX', SecretAccessKey: 's', SessionToken: 't', Expiration: EXPIRATION },
    });

    const issued = await new StsSessionIssuer(new STSClient({})).issueSession(request);

    expect(issued).toEqual({
      accessKeyId: 'ASIAX',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: EXPIRATION,
    });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE.arn,
      RoleSessionName: 'query-worker@ws-1@acme',
      ExternalId: 'acme:secret',
      DurationSeconds: 3600,
      SourceIdentity: 'query-worker',
      Tags: [
        { Key: 'tenant', Value: 'acme' },
        { Key: 'workspace', Value: 'ws-1' },
        { Key: 'consumer', Value: 'query-worker' },
      ],
      Policy: '{"Statement":[]}',
    });
  });

  it('sends neither SourceIdentity nor tags when not asked', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAX', SecretAccessKey: 's', SessionToken: 't', Expiration: EXPIRATION },
    });
    const { sourceIdentity: _s, tags: _t, policy: _p, ...plain } = request;

    await new StsSessionIssuer(new STSClient({})).issueSession(plain);

    const input = sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ ExternalId: 'acme:secret' });
    expect(input?.SourceIdentity).toBeUndefined();
    expect(input?.Tags).toBeUndefined();
  });

  it.each([
    ['AccessDenied', RoleRefusedError],
    ['MalformedPolicyDocument', SessionPolicyRejectedError],
    ['PackedPolicyTooLarge', SessionPolicyRejectedError],
    ['Throttling', UpstreamThrottledError],
    ['InternalFailure', UpstreamUnavailableError],
  ])('maps %s to %p', async (name, expected) => {
    sts.on(AssumeRoleCommand).rejects(stsError(name));

    await expect(new StsSessionIssuer(new STSClient({})).issueSession(request)).rejects.toBeInstanceOf(
      expected,
    );
  });

  it('treats an answer without credentials as an outage', async () => {
    sts.on(AssumeRoleCommand).resolves({});

    await expect(new StsSessionIssuer(new STSClient({})).issueSession(request)).rejects.toBeInstanceOf(
      UpstreamUnavailableError,
    );
  });
});
