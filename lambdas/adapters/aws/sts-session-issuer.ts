import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { errorName } from '../../core/errors';
import {
  type IssuedCredentials,
  type SessionIssuerPort,
  SessionPolicyRejectedError,
  type SessionRequest,
} from '../../credentials/ports';
import { assumeRoleFailure, sessionCredentials } from './sts-answers';

/** STS's answers to a session policy it will not take. */
const POLICY_REJECTED = new Set([
  'MalformedPolicyDocument',
  'MalformedPolicyDocumentException',
  'PackedPolicyTooLarge',
  'PackedPolicyTooLargeException',
]);

/**
 * The credentials broker's sessions through AWS STS: credentials handed on to a platform
 * service, never kept. It loads no client but STS's, so the broker's cold start pays for no other.
 */
export class StsSessionIssuer implements SessionIssuerPort {
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
      if (POLICY_REJECTED.has(errorName(error))) {
        throw new SessionPolicyRejectedError('STS refused the session policy', { cause: error });
      }
      // A trust policy without sts:SetSourceIdentity or sts:TagSession refuses with AccessDenied too.
      throw assumeRoleFailure(error);
    }
  }
}
