import type { Partition } from '../../../schemas/api/common';
import type { CallerIdentity, CallerIdentityPort } from '../../aws-env/ports';

/**
 * The sandbox's STS: the local runtime plays the platform's own account, so the backend's
 * identity is a role session in the trusted account.
 */
export class SandboxSts implements CallerIdentityPort {
  constructor(
    private readonly platformAccountId: string,
    private readonly partition: Partition,
  ) {}

  async getCallerIdentity(): Promise<CallerIdentity> {
    return {
      accountId: this.platformAccountId,
      arn: `arn:${this.partition}:sts::${this.platformAccountId}:assumed-role/aws-org-connections-local/local-runtime`,
    };
  }
}
