import * as z from 'zod';
import { accountIdSchema, ouIdSchema } from '../../schemas/api/common';
import {
  type CloudTrailEvent,
  INGRESS_EVENT_NAMES,
  type IngressEvent,
  isRegionOptIn,
  REGION_OPT_IN_FINAL_STATUSES,
  type RegionOptInEvent,
} from '../../schemas/ingress';
import { parentIdSchema, type SyncTargets, syncTargets } from '../../schemas/sync';

/**
 * What a forwarded event asks of its integrations: nothing (with the reason), a targeted sync of
 * what it names, or a full walk (`targets: null`) when it names nothing we can place. Events are
 * hints: what they name is read again from AWS, never taken from the event.
 */
export type Routing =
  | { readonly action: 'ignore'; readonly reason: string }
  | { readonly action: 'sync'; readonly targets: SyncTargets | null };

const FULL: Routing = { action: 'sync', targets: null };

const followed = new Set<string>(Object.values(INGRESS_EVENT_NAMES).flat());

const parentSchema = z.object({ parentId: parentIdSchema });
const ouSchema = z.object({ organizationalUnitId: ouIdSchema });
const accountSchema = z.object({ accountId: accountIdSchema });
const taggedSchema = z.union([accountIdSchema, ouIdSchema]);
const statusSchema = z.object({ state: z.string().optional(), accountId: z.string().optional() });
const controlTowerSchema = z.object({
  state: z.string().optional(),
  account: z.object({ accountId: z.string().optional() }).optional(),
  organizationalUnit: z.object({ organizationalUnitId: z.string() }).optional(),
});

export function routingOf(event: IngressEvent): Routing {
  return isRegionOptIn(event) ? regionOptIn(event) : cloudTrail(event);
}

const finalStatuses = new Set<string>(REGION_OPT_IN_FINAL_STATUSES);

/**
 * A region opted in or out: the account's member role is checked again, which reads its enabled
 * regions. The event that the change started is dropped: until it ends, the account's regions
 * read as before.
 */
function regionOptIn(event: RegionOptInEvent): Routing {
  const { accountId, status } = event.detail;
  if (!finalStatuses.has(status)) return { action: 'ignore', reason: `the region is still ${status}` };
  const account = accountIdSchema.safeParse(accountId);
  return account.success
    ? targets({ regionsChanged: [account.data] })
    : { action: 'ignore', reason: 'names no account' };
}

function cloudTrail(event: CloudTrailEvent): Routing {
  const { eventName, errorCode, requestParameters, serviceEventDetails } = event.detail;
  if (errorCode !== undefined) return { action: 'ignore', reason: `the call failed (${errorCode})` };
  if (!followed.has(eventName)) return { action: 'ignore', reason: `${eventName} changes no mirror` };
  const request = requestParameters ?? {};
  const service = serviceEventDetails ?? {};

  switch (eventName) {
    case 'MoveAccount': {
      // Only the account moved: finding it where it is now (ListParents, DescribeAccount) costs
      // two calls, where listing both parents costs four and more as they grow.
      const move = accountSchema.safeParse(request);
      return move.success ? targets({ accounts: [move.data.accountId] }) : FULL;
    }
    case 'CreateOrganizationalUnit': {
      const parent = parentSchema.safeParse(request);
      return parent.success ? targets({ containers: [parent.data.parentId] }) : FULL;
    }
    case 'UpdateOrganizationalUnit':
    case 'DeleteOrganizationalUnit': {
      const ou = ouSchema.safeParse(request);
      return ou.success ? targets({ ous: [ou.data.organizationalUnitId] }) : FULL;
    }
    case 'CreateAccountResult':
    case 'CreateGovCloudAccountResult':
      return accountStatus(service.createAccountStatus, 'the account was not created');
    case 'CloseAccountResult':
      return accountStatus(service.closeAccountStatus, 'the account was not closed');
    case 'CloseAccount':
    case 'RemoveAccountFromOrganization':
    case 'PutAccountName':
    case 'AccountJoinedOrganization':
    case 'AccountDepartedOrganization':
      return account(request.accountId ?? service.accountId);
    case 'LeaveOrganization':
      // Called by the member account itself.
      return account(event.detail.userIdentity?.accountId);
    case 'TagResource':
    case 'UntagResource': {
      // Only the named account's or OU's tags are read again; roots and policies are not mirrored.
      const resource = taggedSchema.safeParse(request.resourceId);
      return resource.success
        ? targets({ tagged: [resource.data] })
        : { action: 'ignore', reason: 'not the tags of an account or an OU' };
    }
    case 'InviteAccountToOrganization':
      return { action: 'ignore', reason: 'an invited account joins only when it accepts' };
    case 'CreateManagedAccount':
    case 'UpdateManagedAccount':
      return controlTower(service.createManagedAccountStatus ?? service.updateManagedAccountStatus);
    case 'RegisterOrganizationalUnit':
    case 'DeregisterOrganizationalUnit':
      // Governing an OU or ceasing to moves nothing by itself, but its accounts may be enrolled
      // or left: read the OU again.
      return controlTowerOu(
        service.registerOrganizationalUnitStatus ?? service.deregisterOrganizationalUnitStatus,
      );
    default:
      // AcceptHandshake, delegated administrators and the organization's deletion name nothing
      // we can place: read the whole organization.
      return FULL;
  }
}

function targets(named: Partial<SyncTargets>): Routing {
  return { action: 'sync', targets: syncTargets(named) };
}

function account(id: unknown): Routing {
  const parsed = accountSchema.safeParse({ accountId: id });
  return parsed.success ? targets({ accounts: [parsed.data.accountId] }) : FULL;
}

function accountStatus(status: unknown, failed: string): Routing {
  const parsed = statusSchema.safeParse(status);
  if (parsed.success && parsed.data.state === 'FAILED') return { action: 'ignore', reason: failed };
  return account(parsed.success ? parsed.data.accountId : undefined);
}

/** A Control Tower lifecycle event that did not succeed changed nothing we mirror. */
const CONTROL_TOWER_FAILED: Routing = { action: 'ignore', reason: 'Control Tower did not finish' };

function controlTower(status: unknown): Routing {
  const parsed = controlTowerSchema.safeParse(status);
  if (!parsed.success) return FULL;
  if (parsed.data.state === 'FAILED') return CONTROL_TOWER_FAILED;
  const accountId = accountIdSchema.safeParse(parsed.data.account?.accountId);
  if (!accountId.success) return FULL;
  const ouId = ouIdSchema.safeParse(parsed.data.organizationalUnit?.organizationalUnitId);
  return targets({ accounts: [accountId.data], containers: ouId.success ? [ouId.data] : [] });
}

function controlTowerOu(status: unknown): Routing {
  const parsed = controlTowerSchema.safeParse(status);
  if (!parsed.success) return FULL;
  if (parsed.data.state === 'FAILED') return CONTROL_TOWER_FAILED;
  const ouId = ouIdSchema.safeParse(parsed.data.organizationalUnit?.organizationalUnitId);
  return ouId.success ? targets({ ous: [ouId.data] }) : FULL;
}
