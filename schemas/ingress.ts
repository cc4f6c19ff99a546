import * as z from 'zod';
import { accountIdSchema } from './api/common';

/** The sources the ingress bus accepts from customers' forwarder rules. */
export const INGRESS_SOURCES = ['aws.organizations', 'aws.account', 'aws.controltower'] as const;

/** The CloudTrail-shaped envelopes those sources send. */
export const INGRESS_DETAIL_TYPES = [
  'AWS API Call via CloudTrail',
  'AWS Service Event via CloudTrail',
] as const;

/** The event names that can change an organization's mirror, per source. */
export const INGRESS_EVENT_NAMES = {
  'aws.organizations': [
    'CreateAccountResult',
    'CreateGovCloudAccountResult',
    'InviteAccountToOrganization',
    'AcceptHandshake',
    'MoveAccount',
    'RemoveAccountFromOrganization',
    'LeaveOrganization',
    'CloseAccount',
    'CloseAccountResult',
    'AccountJoinedOrganization',
    'AccountDepartedOrganization',
    'CreateOrganizationalUnit',
    'UpdateOrganizationalUnit',
    'DeleteOrganizationalUnit',
    'TagResource',
    'UntagResource',
    'RegisterDelegatedAdministrator',
    'DeregisterDelegatedAdministrator',
    'DeleteOrganization',
  ],
  'aws.account': ['PutAccountName'],
  'aws.controltower': [
    'CreateManagedAccount',
    'UpdateManagedAccount',
    'RegisterOrganizationalUnit',
    'DeregisterOrganizationalUnit',
  ],
} as const satisfies Record<(typeof INGRESS_SOURCES)[number], readonly string[]>;

/**
 * Account Management's own event for a region's opt-in (not CloudTrail's). It goes to the account
 * that made the call: from the management account, when an administrator opts a member account
 * in or out there. It is sent when the change starts and again when it ends.
 */
export const REGION_OPT_IN_DETAIL_TYPE = 'Region Opt-In Status Change';

/** The statuses of a finished opt-in or opt-out: only then do the account's regions read changed. */
export const REGION_OPT_IN_FINAL_STATUSES = ['ENABLED', 'DISABLED'] as const;

/**
 * The EventBridge patterns of both the customer's forwarder rules and our ingress rules: exactly
 * what the router acts on. Organizations changes come as CloudTrail records; event names do
 * not repeat across sources, so one list serves. A region's opt-in comes as its own event.
 */
export function ingressEventPatterns() {
  return {
    organizations: {
      source: [...INGRESS_SOURCES],
      'detail-type': [...INGRESS_DETAIL_TYPES],
      // A call that failed changed nothing: such events never reach the bus.
      detail: { eventName: Object.values(INGRESS_EVENT_NAMES).flat(), errorCode: [{ exists: false }] },
    },
    regionOptIn: {
      source: ['aws.account'],
      'detail-type': [REGION_OPT_IN_DETAIL_TYPE],
      detail: { status: [...REGION_OPT_IN_FINAL_STATUSES] },
    },
  };
}

const record = z.record(z.string(), z.unknown());

/**
 * A CloudTrail record as the ingress bus delivers it. `account` is set by EventBridge to the
 * account where the event happened, never by the sender: it is what routing trusts. Only the
 * fields routing reads are checked; the rest passes through.
 */
const cloudTrailEventSchema = z.looseObject({
  id: z.string().optional(),
  'detail-type': z.enum(INGRESS_DETAIL_TYPES),
  source: z.enum(INGRESS_SOURCES),
  account: accountIdSchema,
  time: z.string().optional(),
  detail: z.looseObject({
    eventName: z.string().min(1),
    eventID: z.string().optional(),
    /** Set when the call failed: it changed nothing. */
    errorCode: z.string().optional(),
    requestParameters: record.nullish(),
    responseElements: record.nullish(),
    serviceEventDetails: record.nullish(),
    userIdentity: z.looseObject({ accountId: z.string().optional() }).optional(),
  }),
});

/**
 * A region's opt-in status change. `account` made the call; `detail.accountId` is the account
 * whose regions changed, which is only what to read again.
 */
const regionOptInEventSchema = z.looseObject({
  id: z.string().optional(),
  'detail-type': z.literal(REGION_OPT_IN_DETAIL_TYPE),
  source: z.literal('aws.account'),
  account: accountIdSchema,
  time: z.string().optional(),
  detail: z.looseObject({
    accountId: z.string().optional(),
    regionName: z.string().optional(),
    status: z.string(),
  }),
});

/** An event as the ingress bus delivers it: a CloudTrail record, or a region's opt-in. */
export const ingressEventSchema = z.union([cloudTrailEventSchema, regionOptInEventSchema]);
export type IngressEvent = z.infer<typeof ingressEventSchema>;
export type CloudTrailEvent = z.infer<typeof cloudTrailEventSchema>;
export type RegionOptInEvent = z.infer<typeof regionOptInEventSchema>;

export function isRegionOptIn(event: IngressEvent): event is RegionOptInEvent {
  return event['detail-type'] === REGION_OPT_IN_DETAIL_TYPE;
}

/** The event's name for logs: CloudTrail's, or the kind of event. */
export function ingressEventName(event: IngressEvent): string {
  return isRegionOptIn(event) ? event['detail-type'] : event.detail.eventName;
}
