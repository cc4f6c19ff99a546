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
 * The EventBridge pattern of both the customer's forwarder rule and our ingress rule: exactly
 * what the router acts on. Event names do not repeat across sources, so one list serves.
 */
export function ingressEventPattern() {
  return {
    source: [...INGRESS_SOURCES],
    'detail-type': [...INGRESS_DETAIL_TYPES],
    // A call that failed changed nothing: such events never reach the bus.
    detail: { eventName: Object.values(INGRESS_EVENT_NAMES).flat(), errorCode: [{ exists: false }] },
  };
}

const record = z.record(z.string(), z.unknown());

/**
 * An EventBridge event as the ingress bus delivers it. `account` is set by EventBridge to the
 * account where the event happened, never by the sender: it is what routing trusts. Only the
 * fields routing reads are checked; the rest passes through.
 */
export const ingressEventSchema = z.looseObject({
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
export type IngressEvent = z.infer<typeof ingressEventSchema>;
