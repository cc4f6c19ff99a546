import { SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { SfnWorkflow } from '../lambdas/adapters/aws/sfn-workflow';
import { StsCustomerRoles } from '../lambdas/adapters/aws/sts-customer-roles';
import { tenantScope } from '../lambdas/adapters/aws/tenant-table';
import { composeIntegrationsApi } from '../lambdas/composition/integrations';
import type { LocalRuntime } from '../local/runtime';
import { LatencyRecorder } from './latency';
import type { ScopePass, TenantScopeResult } from './results';

const TENANTS = 200;

/**
 * What the tenant table role costs the integrations function. STS is answered in this process,
 * so the figures are our own overhead: a deployed function adds one AssumeRole round trip to
 * each tenant's first request an hour. The reads go to the runtime's DynamoDB Local.
 */
export async function benchTenantScope(
  runtime: LocalRuntime,
  log: (message: string) => void,
): Promise<TenantScopeResult> {
  log(`api: the tenant table scope, ${TENANTS} tenants`);
  const { partition, region, trustedAccountId, tableName } = runtime.config;
  const sts = new STSClient({});
  const stsMock = mockClient(sts);
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIABENCH',
      SecretAccessKey: 'local',
      SessionToken: 'local',
      Expiration: new Date(Date.now() + 3600_000),
    },
  });
  const scope = tenantScope(
    (db) =>
      composeIntegrationsApi({
        db,
        tableName,
        // Never called: a list reads the table only.
        roles: new StsCustomerRoles(sts),
        workflow: new SfnWorkflow(
          new SFNClient({}),
          `arn:${partition}:states:${region}:${trustedAccountId}:stateMachine:bench`,
        ),
        roleRules: { trustedAccountId, allowedPartitions: [partition] },
        scheduleIntervalMs: 3600_000,
        templatesBaseUrl: 'https://templates.invalid',
      }),
    { roleArn: `arn:${partition}:iam::${trustedAccountId}:role/bench-tenant-table`, sts },
  );
  const tenants = Array.from({ length: TENANTS }, (_, index) => `bench-scope-${index}`);
  const pass = async (): Promise<ScopePass> => {
    const scoping = new LatencyRecorder();
    const reading = new LatencyRecorder();
    const callsBefore = stsMock.commandCalls(AssumeRoleCommand).length;
    for (const tenantId of tenants) {
      const scopedAt = performance.now();
      const { service } = await scope(tenantId);
      const readAt = performance.now();
      await service.list({ tenantId, subject: 'bench', orgIds: [], roles: ['tenant_owner'] }, { limit: 25 });
      scoping.record(readAt - scopedAt);
      reading.record(performance.now() - readAt);
    }
    return {
      ...scoping.percentiles(),
      assumeRoleCalls: stsMock.commandCalls(AssumeRoleCommand).length - callsBefore,
      readP50Ms: reading.percentiles().p50Ms,
    };
  };
  const result = { tenants: TENANTS, cold: await pass(), warm: await pass() };
  stsMock.restore();
  return result;
}
