import type { Partition } from '../lambdas/core/env';

/** The local runtime's settings. Every one has a default, so `npm start` needs none. */
export interface LocalConfig {
  /** `sandbox`: simulated STS and Organizations. `aws`: the real SDK adapters. */
  readonly mode: 'sandbox' | 'aws';
  /**
   * With `aws` against an emulator (moto) that enforces no trust policy: a role that lets us in
   * without the right External ID is a warning in the role test, not a failure. Refused unless
   * AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_STS) names the emulator.
   */
  readonly emulator: boolean;
  /** @default 3000 (0 picks a free port) */
  readonly port: number;
  /** Keep DynamoDB Local's data here; in memory when absent. */
  readonly dataDir?: string;
  /** Where the local signing key lives. @default .local */
  readonly stateDir: string;
  /**
   * The platform's own account: the one the sandbox plays, @default 123456789012. With `aws`,
   * the runtime takes the account of the credentials from GetCallerIdentity instead.
   */
  readonly trustedAccountId: string;
  readonly partition: Partition;
  readonly region: string;
  readonly tableName: string;
  /** The sandbox organization's fixture. @default local/sandbox-org.yaml, or SANDBOX_ORG */
  readonly sandboxOrgFile: string;
}

export const DEFAULT_LOCAL_CONFIG: LocalConfig = {
  mode: 'sandbox',
  emulator: false,
  port: 3000,
  stateDir: '.local',
  trustedAccountId: '123456789012',
  partition: 'aws',
  region: 'us-east-1',
  tableName: 'aws-org-connections-local',
  sandboxOrgFile: 'local/sandbox-org.yaml',
};
