import { randomUUID } from 'node:crypto';
import { REGION_OPT_IN_DETAIL_TYPE } from '../../../schemas/ingress';
import type { SandboxOrganization } from './sandbox-organization';

/** An administrator's change to the sandbox organization. */
export type SandboxChange =
  | { readonly kind: 'ou-created'; readonly id: string; readonly name: string; readonly parentId: string }
  | { readonly kind: 'ou-renamed'; readonly id: string; readonly name: string }
  | { readonly kind: 'ou-deleted'; readonly id: string }
  | { readonly kind: 'account-created'; readonly id: string; readonly name: string }
  | { readonly kind: 'account-moved'; readonly id: string; readonly from: string; readonly to: string }
  | { readonly kind: 'account-closed'; readonly id: string }
  | { readonly kind: 'account-removed'; readonly id: string }
  /** An account or an OU. */
  | { readonly kind: 'tagged'; readonly id: string; readonly tags: Record<string, string | null> }
  /** The management account opted one of an account's regions in or out, and AWS finished. */
  | {
      readonly kind: 'region-opt-in';
      readonly id: string;
      readonly region: string;
      readonly status: 'ENABLED' | 'DISABLED';
    }
  | {
      readonly kind: 'managed-account-vended';
      /** The new account's id; none when Account Factory failed. */
      readonly id: string | null;
      readonly name: string;
      readonly ouId: string;
    };

/**
 * The EventBridge event AWS would deliver for the change, from the management account in
 * us-east-1. Most are CloudTrail records: API calls with `requestParameters`, asynchronous
 * results as service events with `serviceEventDetails`; Control Tower's lifecycle events come
 * from its own source. A region's opt-in is Account Management's own event. The local runtime
 * feeds it to the router, as the forwarder would.
 */
export function forwardedEventOf(
  organization: SandboxOrganization,
  change: SandboxChange,
): Record<string, unknown> {
  if (change.kind === 'region-opt-in') return regionOptInEventOf(organization, change);
  const [eventName, details] = detailsOf(organization, change);
  const serviceEvent = 'serviceEventDetails' in details;
  const service = change.kind === 'managed-account-vended' ? 'controltower' : 'organizations';
  const account = organization.managementAccountId;
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': serviceEvent ? 'AWS Service Event via CloudTrail' : 'AWS API Call via CloudTrail',
    source: `aws.${service}`,
    account,
    time,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: serviceEvent
        ? { accountId: account, invokedBy: `${service}.amazonaws.com` }
        : {
            type: 'AssumedRole',
            accountId: account,
            arn: `arn:${organization.partition}:sts::${account}:assumed-role/Admin/sandbox`,
          },
      eventTime: time,
      eventSource: `${service}.amazonaws.com`,
      eventName,
      awsRegion: 'us-east-1',
      requestParameters: null,
      responseElements: null,
      ...details,
      eventID: randomUUID(),
      eventType: serviceEvent ? 'AwsServiceEvent' : 'AwsApiCall',
      recipientAccountId: account,
    },
  };
}

/** What Account Management sends the calling account once a region's opt-in or opt-out ends. */
function regionOptInEventOf(
  organization: SandboxOrganization,
  change: Extract<SandboxChange, { kind: 'region-opt-in' }>,
): Record<string, unknown> {
  const account = organization.managementAccountId;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': REGION_OPT_IN_DETAIL_TYPE,
    source: 'aws.account',
    account,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail: { accountId: change.id, regionName: change.region, status: change.status },
  };
}

function detailsOf(
  organization: SandboxOrganization,
  change: Exclude<SandboxChange, { kind: 'region-opt-in' }>,
): [string, Record<string, unknown>] {
  switch (change.kind) {
    case 'ou-created':
      return [
        'CreateOrganizationalUnit',
        ouCall(organization, { parentId: change.parentId, name: change.name }, change.id, change.name),
      ];
    case 'ou-renamed':
      return [
        'UpdateOrganizationalUnit',
        ouCall(organization, { organizationalUnitId: change.id, name: change.name }, change.id, change.name),
      ];
    case 'ou-deleted':
      return ['DeleteOrganizationalUnit', { requestParameters: { organizationalUnitId: change.id } }];
    case 'account-created':
      return [
        'CreateAccountResult',
        {
          serviceEventDetails: {
            createAccountStatus: {
              id: `car-${change.id}`,
              state: 'SUCCEEDED',
              accountName: change.name,
              accountId: change.id,
            },
          },
        },
      ];
    case 'account-moved':
      return [
        'MoveAccount',
        {
          requestParameters: {
            accountId: change.id,
            sourceParentId: change.from,
            destinationParentId: change.to,
          },
        },
      ];
    case 'account-closed':
      return [
        'CloseAccountResult',
        { serviceEventDetails: { closeAccountStatus: { accountId: change.id, state: 'SUCCEEDED' } } },
      ];
    case 'account-removed':
      return ['RemoveAccountFromOrganization', { requestParameters: { accountId: change.id } }];
    case 'tagged': {
      const removed = Object.keys(change.tags).filter((key) => change.tags[key] === null);
      const added = Object.entries(change.tags).flatMap(([key, value]) =>
        value === null ? [] : [{ key, value }],
      );
      // One change may both tag and untag; CloudTrail would record two calls. The tagging one speaks for it.
      return added.length > 0
        ? ['TagResource', { requestParameters: { resourceId: change.id, tags: added } }]
        : ['UntagResource', { requestParameters: { resourceId: change.id, tagKeys: removed } }];
    }
    case 'managed-account-vended': {
      const ou = organization.ou(change.ouId);
      return [
        'CreateManagedAccount',
        {
          serviceEventDetails: {
            createManagedAccountStatus: {
              organizationalUnit: {
                organizationalUnitName: ou?.name ?? change.ouId,
                organizationalUnitId: change.ouId,
              },
              account: { accountName: change.name, ...(change.id === null ? {} : { accountId: change.id }) },
              state: change.id === null ? 'FAILED' : 'SUCCEEDED',
              message:
                change.id === null
                  ? 'AWS Control Tower could not create the account.'
                  : 'AWS Control Tower successfully created an enrolled account.',
            },
          },
        },
      ];
    }
  }
}

/** An OU call's parameters, and the OU it answers with. */
function ouCall(
  organization: SandboxOrganization,
  requestParameters: Record<string, string>,
  id: string,
  name: string,
): Record<string, unknown> {
  const arn = organization.arn.replace(':organization/', ':ou/').concat(`/${id}`);
  return { requestParameters, responseElements: { organizationalUnit: { id, name, arn } } };
}
