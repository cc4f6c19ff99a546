import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { errorName, UpstreamUnavailableError } from '../../core/errors';
import {
  type IssuedCredentials,
  type SessionIssuerPort,
  SessionPolicyRejectedError,
  type SessionRequest,
} from '../../credentials/ports';
import { ORGANIZATIONS_REGION } from '../../domain/partition';
import {
  type AssumeRoleRequest,
  type CustomerRoleSession,
  type CustomerRolesPort,
  RoleRefusedError,
} from '../../ports/customer-roles';
import { SdkRoleSession, sessionCredentials, stsFailure } from './sts-role-session';

/** A probe needs minutes, not the default hour: the shortest session STS issues. */
const PROBE_SESSION_SECONDS = 900;

/** STS's answers to a session policy it will not take. */
const POLICY_REJECTED = new Set([
  'MalformedPolicyDocument',
  'MalformedPolicyDocumentException',
  'PackedPolicyTooLarge',
  'PackedPolicyTooLargeException',
]);

/**
 * Customer roles through AWS STS. The platform's STS client is regional (the SDK's default), and
 * sessions' credentials live only in the clients made for them.
 */
export class StsCustomerRoles implements CustomerRolesPort, SessionIssuerPort {
  constructor(private readonly sts: STSClient) {}

  /** A session whose credentials are handed on: with the consumer's SourceIdentity, tags and policy. */
  async issueSession(request: SessionRequest): Promise<IssuedCredentials> {
    try {
      const answer = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: request.role.arn,
          RoleSessionName: request.sessionName,
          ExternalId: request.externalId,
          DurationSeconds: request.durationSeconds,
          SourceIdentity: request.sourceIdentity,
          Tags: request.tags
            ? Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value }))
            : undefined,
          Policy: request.policy,
        }),
      );
      return sessionCredentials(answer.Credentials);
    } catch (error: unknown) {
      const name = errorName(error);
      // A trust policy without sts:SetSourceIdentity or sts:TagSession refuses with AccessDenied too.
      if (name === 'AccessDenied') throw new RoleRefusedError('AssumeRole was refused', { cause: error });
      if (POLICY_REJECTED.has(name)) {
        throw new SessionPolicyRejectedError('STS refused the session policy', { cause: error });
      }
      throw stsFailure(error);
    }
  }

  async assumeRole(request: AssumeRoleRequest): Promise<CustomerRoleSession> {
    try {
      const answer = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: request.role.arn,
          RoleSessionName: request.sessionName,
          ExternalId: request.externalId,
          DurationSeconds: request.durationSeconds ?? PROBE_SESSION_SECONDS,
        }),
      );
      const credentials = answer.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
        throw new UpstreamUnavailableError('AWS STS');
      }
      return new SdkRoleSession(
        request.role,
        {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          sessionToken: credentials.SessionToken,
          expiration: credentials.Expiration,
        },
        await this.sts.config.region(),
        ORGANIZATIONS_REGION[request.role.partition],
      );
    } catch (error: unknown) {
      // STS answers AccessDenied both for a trust policy that refuses us and for a missing role.
      if (errorName(error) === 'AccessDenied')
        throw new RoleRefusedError('AssumeRole was refused', { cause: error });
      throw stsFailure(error);
    }
  }
}
