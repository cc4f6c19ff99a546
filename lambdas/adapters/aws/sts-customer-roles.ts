import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { ORGANIZATIONS_REGION } from '../../domain/partition';
import type { AssumeRoleRequest, CustomerRoleSession, CustomerRolesPort } from '../../ports/customer-roles';
import { assumeRoleFailure, sessionCredentials } from './sts-answers';
import { SdkRoleSession } from './sts-role-session';

/** A probe needs minutes, not the default hour: the shortest session STS issues. */
const PROBE_SESSION_SECONDS = 900;

/**
 * Customer roles through AWS STS. The platform's STS client is regional (the SDK's default), and
 * sessions' credentials live only in the clients made for them.
 */
export class StsCustomerRoles implements CustomerRolesPort {
  constructor(private readonly sts: STSClient) {}

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
      return new SdkRoleSession(
        request.role,
        sessionCredentials(answer.Credentials),
        await this.sts.config.region(),
        ORGANIZATIONS_REGION[request.role.partition],
      );
    } catch (error: unknown) {
      throw assumeRoleFailure(error);
    }
  }
}
