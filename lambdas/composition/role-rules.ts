import type { EnvValues } from '../../schemas/environment';
import type { RoleArnRules } from '../domain/role-arn';

/** Which roles this deployment may reach: none in its own account, and only in its partitions. */
export function roleRulesOf(env: EnvValues<'TRUSTED_ACCOUNT_ID' | 'ALLOWED_PARTITIONS'>): RoleArnRules {
  return { trustedAccountId: env.TRUSTED_ACCOUNT_ID, allowedPartitions: env.ALLOWED_PARTITIONS };
}
