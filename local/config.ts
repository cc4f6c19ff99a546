import { DEFAULT_FAIR_USE, type FairUseLimits } from '../lambdas/integrations/fair-use';
import type { Partition } from '../schemas/api/common';
import type { ConsumerPolicy } from '../schemas/credentials';

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
  /** How often each integration is re-synced. @default 6 h, as deployed */
  readonly scheduleIntervalMs: number;
  /** Whether the schedule's fan-out runs (`--schedule <interval>`). @default false */
  readonly schedule: boolean;
  /**
   * Each tenant's share: expensive requests, and requests of any kind (which the local gateway
   * counts per tenant, as a deployment's usage plan does). @default 600 role tests and 600 syncs
   * a minute, and 1,000 requests a second, far above a deployment's defaults, so demos and the
   * test suites are never throttled; `--fair-use` or a test of the limits sets its own.
   */
  readonly fairUse: LocalFairUse;
  /** The platform services the credentials broker answers; each must send a workspace assertion. */
  readonly credentialConsumers: readonly ConsumerPolicy[];
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
  scheduleIntervalMs: 6 * 3600 * 1000,
  schedule: false,
  fairUse: {
    ...DEFAULT_FAIR_USE,
    roleTestsPerMinute: 600,
    syncsPerMinute: 600,
    requestsPerSecond: 1000,
    requestBurst: 2000,
  },
  credentialConsumers: [
    { name: 'query-worker', access: ['read'], assertion: 'required' },
    { name: 'remediation-worker', access: ['read', 'write'], assertion: 'required' },
  ],
};

/** The local fair use: the expensive requests' budgets, and every request's, per tenant. */
export interface LocalFairUse extends FairUseLimits {
  readonly requestsPerSecond: number;
  readonly requestBurst: number;
}

/**
 * `--fair-use roleTestsPerMinute=30,syncsPerMinute=30,requestsPerSecond=25,requestBurst=50`:
 * a deployment's settings (any of them), over the local defaults.
 */
export function parseFairUse(text: string, defaults: LocalFairUse): LocalFairUse {
  const settings: Record<string, number> = { ...defaults };
  for (const pair of text.split(',').filter(Boolean)) {
    const [name = '', value = ''] = pair.split('=').map((part) => part.trim());
    const number = Number(value);
    if (!Object.hasOwn(defaults, name) || !/^\d+(\.\d+)?$/.test(value) || number <= 0) {
      throw new Error(
        `--fair-use takes name=number pairs of ${Object.keys(defaults).join(', ')}; not "${pair}".`,
      );
    }
    settings[name] = number;
  }
  return settings as unknown as LocalFairUse;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `1m`, `6h`: a schedule interval of at least 10 seconds, in milliseconds. */
export function parseInterval(text: string): number {
  const match = /^(\d+)([smh])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? 0) : 0;
  if (ms < 10_000) {
    throw new Error(`--schedule takes an interval like 30s, 1m or 6h, of at least 10s; not "${text}".`);
  }
  return ms;
}

/** Where the local server serves the raw templates, as a deployment publishes them. */
export function localTemplatesBaseUrl(url: string): string {
  return `${url}/local/templates/`;
}
