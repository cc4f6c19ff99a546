import type { Partition } from '../lambdas/core/env';

/** The local runtime's settings. Every one has a default, so `npm start` needs none. */
export interface LocalConfig {
  /** `sandbox`: simulated STS and Organizations. `aws`: the real SDK adapters. */
  readonly mode: 'sandbox' | 'aws';
  /** @default 3000 (0 picks a free port) */
  readonly port: number;
  /** Keep DynamoDB Local's data here; in memory when absent. */
  readonly dataDir?: string;
  /** Where the local signing key lives. @default .local */
  readonly stateDir: string;
  /** The account the sandbox plays as the platform's own. @default 123456789012 */
  readonly trustedAccountId: string;
  readonly partition: Partition;
  readonly region: string;
  readonly tableName: string;
  /** The sandbox organization's fixture. @default local/sandbox-org.yaml, or SANDBOX_ORG */
  readonly sandboxOrgFile: string;
}

export const DEFAULT_LOCAL_CONFIG: LocalConfig = {
  mode: 'sandbox',
  port: 3000,
  stateDir: '.local',
  trustedAccountId: '123456789012',
  partition: 'aws',
  region: 'us-east-1',
  tableName: 'aws-org-connections-local',
  sandboxOrgFile: 'local/sandbox-org.yaml',
};
