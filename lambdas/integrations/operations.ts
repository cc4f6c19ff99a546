import type { EventsQuery } from '../../schemas/api/activity';
import type { AuditAction } from '../../schemas/api/audit';
import type { Integration } from '../../schemas/api/integrations';
import type { RoleTestRequest } from '../../schemas/api/role-test';
import type { IntegrationStatusReport, MemberAccessSummary } from '../../schemas/sync';
import { NotFoundError } from '../core/errors';
import { logger } from '../core/logger';
import type { TenantContext, TenantRequest } from '../core/tenant-context';
import type { AuditTrail } from '../domain/audit';
import { connectionView } from '../domain/connection-regions';
import { DEFAULT_MEMBER_CHECK_INTERVAL_MS, memberCheckDueAt } from '../domain/member-check-cadence';
import type { PageRequest } from '../domain/page';
import { IntegrationDeletingError } from '../domain/sync-runs';
import { quickCreateLink, templateFileName } from '../domain/template-catalogue';
import { isOutdated, TEMPLATE_VERSIONS } from '../domain/template-versions';
import type { AuditLog } from '../ports/audit';
import {
  MEMBER_CHECK_LEASE_MS,
  type MemberCheckLease,
  type MemberHealthStore,
  onDemandCheckId,
} from '../ports/member-health';
import type { RoleTests } from '../ports/role-tests';
import type { MirrorStore, SyncStateStore, WorkflowPort } from '../ports/sync-state';
import type { SyncRequests } from '../ports/syncs';
import type { FairUse } from './fair-use';
import type { ActivityReader } from './ports';
import type { IntegrationService } from './service';

export interface OperationDeps {
  /** Reads an integration the caller may manage (404 or 403 otherwise). */
  readonly integrations: Pick<IntegrationService, 'get'>;
  readonly roleTest: RoleTests;
  readonly syncs: Pick<SyncRequests, 'requestSync'>;
  readonly syncState: SyncStateStore;
  readonly mirror: MirrorStore;
  /** The member roles' last checks. */
  readonly health: Pick<MemberHealthStore, 'health'>;
  readonly workflow: Pick<WorkflowPort, 'checkMembers'>;
  /** The change events the integration published, as the outbox keeps them. */
  readonly activity: ActivityReader;
  /** Role tests and sync requests spend the tenant's budgets. */
  readonly fairUse: FairUse;
  /** One member check of an integration at a time. */
  readonly checkLease: MemberCheckLease;
  /** What an update link names: where the templates are published, and the platform's account. */
  readonly templates: { readonly baseUrl: string; readonly trustedAccountId: string };
  /** How often every member role is checked when nothing changes. @default a day */
  readonly memberCheckIntervalMs?: number;
  readonly audit: AuditTrail;
  /** Keeps the entries of the syncs and member checks started. */
  readonly auditLog: Pick<AuditLog, 'record'>;
  readonly now?: () => Date;
}

/** Operating a registered integration: syncs on demand, its status and runs, its tree, a check of its roles. */
export function makeIntegrationOperations({
  integrations,
  roleTest,
  syncs,
  syncState,
  mirror,
  health,
  workflow,
  activity,
  templates,
  fairUse,
  checkLease,
  audit,
  auditLog,
  memberCheckIntervalMs = DEFAULT_MEMBER_CHECK_INTERVAL_MS,
  now = () => new Date(),
}: OperationDeps) {
  const get = (tenant: TenantContext, integrationId: string) => integrations.get(tenant, integrationId);
  const record = (tenant: TenantRequest, integration: Integration, action: AuditAction) =>
    auditLog.record(
      tenant.tenantId,
      audit.entry(tenant, {
        action,
        target: { type: 'integration', id: integration.id },
        integrationId: integration.id,
        scope: integration.scope,
      }),
    );

  return {
    /** 202: the run started, or the running one that will run again after it. */
    async startSync(tenant: TenantRequest, integrationId: string, confirmDeletions: boolean) {
      const integration = await get(tenant, integrationId);
      await fairUse.spend(tenant.tenantId, 'sync');
      const accepted = await syncs.requestSync({
        tenantId: tenant.tenantId,
        integrationId,
        trigger: 'manual',
        confirmDeletions,
        correlationId: tenant.correlationId,
      });
      await record(tenant, integration, 'integration.sync-started');
      return accepted;
    },

    async status(tenant: TenantContext, integrationId: string): Promise<IntegrationStatusReport> {
      const integration = await get(tenant, integrationId);
      const target = await syncState.target(tenant.tenantId, integrationId);
      if (!target) throw new NotFoundError('The integration');
      const runOf = async (runId: string | null) =>
        runId === null
          ? null
          : ((await syncState.run({ tenantId: tenant.tenantId, integrationId, runId }))?.run ?? null);
      return {
        id: integrationId,
        status: target.activeRunId === null || target.deleting ? target.status : 'syncing',
        lastError: target.lastError,
        currentRun: await runOf(target.activeRunId),
        lastRun: await runOf(target.lastRunId),
        counts: target.counts,
        memberAccess: target.memberAccess,
        memberCheckDueAt: memberCheckDueAt(target.memberAccess, memberCheckIntervalMs),
        memberTemplates:
          target.memberAccess === null
            ? null
            : memberTemplatesOf(integration, target.memberAccess, templates),
      };
    },

    /**
     * The role test again, on the stored roles with the External ID they were registered with; when they
     * pass, a check of every member role starts. A failed test answers its code and report.
     */
    async test(tenant: TenantRequest, integrationId: string) {
      const integration = await get(tenant, integrationId);
      if (integration.status === 'deleting') throw new IntegrationDeletingError();
      const request: RoleTestRequest =
        integration.kind === 'organization'
          ? { kind: 'organization', roleArn: integration.roleArn }
          : {
              kind: 'account',
              roleArn: integration.roleArn,
              ...(integration.readOnlyRoleArn === null
                ? {}
                : { readOnlyRoleArn: integration.readOnlyRoleArn }),
            };
      await fairUse.spend(tenant.tenantId, 'role-test');
      const { report } = await roleTest.test({
        tenantId: tenant.tenantId,
        externalId: integration.externalId,
        request,
      });
      await record(tenant, integration, 'integration.members-tested');
      const started = now();
      const checkId = onDemandCheckId(started, integrationId);
      // One check at a time: the lease is taken here, so the check's own first step finds it its
      // own; while another check holds it, that one is the answer.
      const target = { tenantId: tenant.tenantId, integrationId, checkId };
      if (!(await checkLease.take(target, started.getTime() + MEMBER_CHECK_LEASE_MS, started.getTime()))) {
        const running = (await syncState.target(tenant.tenantId, integrationId))?.memberCheck;
        logger.info('stored roles passed; a member check is already running', { integrationId });
        return { report, memberCheck: { id: running?.id ?? checkId, status: 'running' as const } };
      }
      try {
        await workflow.checkMembers(
          { tenantId: tenant.tenantId, integrationId, correlationId: tenant.correlationId },
          checkId,
        );
      } catch (error: unknown) {
        // No check will run to give the lease back.
        await checkLease.release(target);
        throw error;
      }
      logger.info('stored roles passed; member check started', { integrationId, checkId });
      return { report, memberCheck: { id: checkId, status: 'started' as const } };
    },

    async runs(tenant: TenantContext, integrationId: string, page: PageRequest) {
      await get(tenant, integrationId);
      return syncState.listRuns(tenant.tenantId, integrationId, page);
    },

    /** The integration's change events, as they were published, a page at a time. */
    async events(tenant: TenantContext, integrationId: string, query: EventsQuery) {
      await get(tenant, integrationId);
      return activity.page(tenant.tenantId, integrationId, query);
    },

    /** Folders and connections, flat with parent ids, a page at a time; connections with health. */
    async tree(tenant: TenantContext, integrationId: string, page: PageRequest) {
      await get(tenant, integrationId);
      const result = await mirror.page(tenant.tenantId, integrationId, page);
      const connectionIds = result.items.filter((node) => node.type === 'connection').map((node) => node.id);
      const healths = await health.health(tenant.tenantId, integrationId, connectionIds);
      return {
        ...result,
        items: result.items.map((node) =>
          node.type === 'connection' ? connectionView(node, healths.get(node.id) ?? null) : node,
        ),
      };
    },
  };
}

export type IntegrationOperations = ReturnType<typeof makeIntegrationOperations>;

/** The member roles' versions in words, and how to update those that are behind. */
function memberTemplatesOf(
  integration: Integration,
  access: MemberAccessSummary,
  templates: OperationDeps['templates'],
): NonNullable<IntegrationStatusReport['memberTemplates']> {
  const template = integration.kind === 'organization' ? 'member-account-role' : 'single-account-role';
  const current = TEMPLATE_VERSIONS[template];
  const runs = Object.entries(access.templateVersions)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([version, accounts]) => {
      const what = version === 'unknown' ? 'an unknown version' : `v${version}`;
      return `${accounts} ${accounts === 1 ? 'account runs' : 'accounts run'} ${what}`;
    });
  const outdated = Object.entries(access.templateVersions)
    .filter(([version]) => isOutdated(template, version === 'unknown' ? null : Number(version)))
    .reduce((sum, [, accounts]) => sum + accounts, 0);
  const summary = `${runs.length === 0 ? 'No role was reached' : runs.join(', ')}; current is v${current}`;
  return { current, summary, outdated, update: outdated === 0 ? null : updateHint(integration, templates) };
}

function updateHint(integration: Integration, templates: OperationDeps['templates']): string {
  if (integration.kind === 'account') {
    const link = quickCreateLink('single-account-role', {
      partition: integration.partition,
      templatesBaseUrl: templates.baseUrl,
      trustedAccountId: templates.trustedAccountId,
      externalId: integration.externalId,
    });
    return `Deploy the current template over the role's stack: ${link}`;
  }
  const source = `${templates.baseUrl}${templateFileName('member-account-role')}`;
  const stackSet = integration.memberRoleStackSet;
  const which =
    stackSet === null ? 'the member-role StackSet' : `the StackSet ${stackSet.name} (${stackSet.region})`;
  return `Update ${which} with the current template, ${source}, keeping its parameters. Accounts that join later get it as they join.`;
}
