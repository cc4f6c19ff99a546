import type { EnvCheck } from '../../schemas/api/aws-env';
import type { Partition } from '../../schemas/api/common';
import { PARTITION_REGIONS } from '../domain/regions';
import { type CallerIdentity, type CallerIdentityPort, IdentityUnavailableError } from './ports';

export interface EnvCheckDeps {
  readonly identity: CallerIdentityPort;
  /** The account customers' roles must trust. */
  readonly trustedAccountId: string;
  /** The partition the backend is deployed in. */
  readonly partition: Partition;
}

/**
 * The env check: can the backend prove its AWS identity, and is that identity the account
 * customers are told to trust? A mismatch would make every customer role test fail.
 */
export function makeEnvCheckService({ identity, trustedAccountId, partition }: EnvCheckDeps) {
  return {
    async check(): Promise<EnvCheck> {
      const base = { trustedAccountId, partition, regions: [...PARTITION_REGIONS[partition]] };
      let caller: CallerIdentity;
      try {
        caller = await identity.getCallerIdentity();
      } catch (error: unknown) {
        if (!(error instanceof IdentityUnavailableError)) throw error;
        return {
          ...base,
          configured: false,
          callerAccountId: null,
          problem: {
            code: 'NO_AWS_IDENTITY',
            hint: 'The backend has no working AWS credentials. Give its functions an execution role.',
          },
        };
      }
      if (caller.accountId !== trustedAccountId) {
        return {
          ...base,
          configured: false,
          callerAccountId: caller.accountId,
          problem: {
            code: 'TRUSTED_ACCOUNT_MISMATCH',
            hint: `The backend runs as account ${caller.accountId} but tells customers to trust ${trustedAccountId}. Set trustedAccountId in cdk.json to the account it runs in.`,
          },
        };
      }
      return { ...base, configured: true, callerAccountId: caller.accountId, problem: null };
    },
  };
}
