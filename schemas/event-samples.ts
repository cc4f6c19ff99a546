import type * as z from 'zod';
import type { integrationSchema } from './api/integrations';
import { type DetailType, EVENT_DETAIL_SCHEMAS, EVENT_SCHEMA_VERSION } from './events';
import type { connectionSchema, folderSchema } from './sync';

/*
 * One example detail per connection-change event, as a consumer receives it: a small
 * organization (management account 210000001013, OU ou-k3v9-1nfra001 with account
 * 210000005065) mirrored for the tenant `acme`. Each is parsed by its schema, so it cannot
 * drift from the contract; `npm run generate` writes them to schemas/generated/events/.
 */

const INTEGRATION_ID = '430a62f0-860c-4bbc-a692-1c2fa43a9201';
const RUN_ID = '20261130T140026123Z-e47471ab';
/** The API request that created the integration, and so started the run. */
const CREATE_REQUEST_ID = '6f1c2b9e-3d4a-4c8e-9f2b-7a5d1e0c4b31';
/** A later PATCH: its events belong to no run. */
const PATCH_REQUEST_ID = 'c0e4a7d2-81b5-4f63-a9d0-2e6b3f8c5a17';
const AT = '2026-11-30T14:00:31.000Z';
const ROOT = { type: 'integration' as const, id: INTEGRATION_ID };

function envelope(sequence: number, eventId: string) {
  return {
    schemaVersion: EVENT_SCHEMA_VERSION as typeof EVENT_SCHEMA_VERSION,
    eventId,
    tenantId: 'acme',
    scope: { level: 'tenant' as const },
    integrationId: INTEGRATION_ID,
    sequence,
    syncRunId: RUN_ID as string | null,
    correlationId: CREATE_REQUEST_ID,
  };
}

const effective: z.input<typeof folderSchema>['effective'] = {
  regions: { value: ['us-east-1'], source: ROOT },
  options: { value: {}, source: ROOT },
  permissions: { value: { share: 'none' }, source: ROOT },
};

const folder: z.input<typeof folderSchema> = {
  type: 'folder',
  id: 'ou-k3v9-1nfra001',
  parentId: 'r-k3v9',
  version: 1,
  name: 'Infrastructure',
  handle: 'infrastructure',
  handleSource: 'generated',
  handlePrefix: null,
  overrides: {},
  effective,
  access: 'ok',
  accessHint: null,
  updatedAt: AT,
};

const connection: z.input<typeof connectionSchema> = {
  type: 'connection',
  id: '210000005065',
  parentId: 'ou-k3v9-1nfra001',
  version: 1,
  name: 'network',
  handle: 'network',
  handleSource: 'generated',
  handlePrefix: null,
  overrides: {},
  effective,
  email: 'network@example.com',
  state: 'ACTIVE',
  disabled: false,
  roleArn: 'arn:aws:iam::210000005065:role/OrgConnectionsReadOnly',
  managementAccount: false,
  held: false,
  updatedAt: AT,
};

const integration: Omit<z.input<typeof integrationSchema>, 'externalId'> = {
  id: INTEGRATION_ID,
  version: 1,
  handle: 'acme',
  kind: 'organization',
  scope: { level: 'tenant' },
  status: 'connected',
  roleArn: 'arn:aws:iam::210000001013:role/OrgConnectionsDiscovery',
  readOnlyRoleArn: null,
  memberRoleName: 'OrgConnectionsReadOnly',
  fullMemberRoleName: null,
  memberRoleStackSet: null,
  filters: null,
  newAccounts: 'include',
  handlePrefix: null,
  regions: ['us-east-1'],
  options: {},
  permissions: { share: 'none' },
  accountId: '210000001013',
  partition: 'aws',
  organizationId: 'o-k3v9x2m4p7',
  managementAccountId: '210000001013',
  createdAt: '2026-11-30T14:00:26.000Z',
  updatedAt: AT,
  createdBy: 'owner@acme.example',
};

const counts = { created: 12, updated: 0, deleted: 0, heldDeletions: 0 };

const RAW_SAMPLES: { [T in DetailType]: z.input<(typeof EVENT_DETAIL_SCHEMAS)[T]> } = {
  'Integration Created': { ...envelope(1, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a0001'), integration },
  'Integration Updated': {
    ...envelope(14, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a000e'),
    syncRunId: null,
    correlationId: PATCH_REQUEST_ID,
    integration: { ...integration, version: 2, regions: ['us-east-1', 'eu-west-1'] },
    changes: [{ field: 'regions', from: ['us-east-1'], to: ['us-east-1', 'eu-west-1'] }],
  },
  'Integration Deleted': {
    ...envelope(20, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a0014'),
    integration: { ...integration, status: 'deleting' },
  },
  'Integration Status Changed': {
    ...envelope(13, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a000d'),
    status: 'connected',
    previousStatus: 'syncing',
    error: null,
  },
  'Folder Created': { ...envelope(2, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a0002'), folder },
  'Folder Updated': {
    ...envelope(15, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a000f'),
    syncRunId: null,
    correlationId: PATCH_REQUEST_ID,
    folder: {
      ...folder,
      version: 2,
      overrides: { permissions: { share: 'selected', workspaceIds: ['ws-1'] } },
      effective: {
        ...effective,
        permissions: {
          value: { share: 'selected', workspaceIds: ['ws-1'] },
          source: { type: 'folder', id: folder.id },
        },
      },
    },
    changes: [
      { field: 'overrides.permissions', from: null, to: { share: 'selected', workspaceIds: ['ws-1'] } },
    ],
  },
  'Folder Deleted': { ...envelope(18, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a0012'), folder },
  'Connection Created': { ...envelope(3, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a0003'), connection },
  'Connection Updated': {
    ...envelope(16, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a0010'),
    connection: { ...connection, version: 2, parentId: 'r-k3v9' },
    changes: [{ field: 'parentId', from: 'ou-k3v9-1nfra001', to: 'r-k3v9' }],
  },
  'Connection Deleted': {
    ...envelope(17, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a0011'),
    connection: { ...connection, state: 'CLOSED', disabled: true },
  },
  'Sync Completed': {
    ...envelope(12, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a000c'),
    status: 'succeeded',
    counts,
    folders: 5,
    connections: 7,
  },
  'Sync Failed': {
    ...envelope(19, 'b1d3c6f0-5d1e-1c4e-9b0a-6a1f0b9a0013'),
    status: 'failed',
    counts: { created: 0, updated: 0, deleted: 0, heldDeletions: 0 },
    error: {
      code: 'ROLE_NOT_ASSUMABLE',
      message: 'AssumeRole was refused',
      hint: 'Check that the role exists and trusts the platform account with this External ID.',
    },
  },
};

/** Each detail-type's example detail, as its schema reads it (defaults filled in). */
export function eventSamples(): Record<DetailType, unknown> {
  return Object.fromEntries(
    Object.entries(RAW_SAMPLES).map(([type, raw]) => [
      type,
      EVENT_DETAIL_SCHEMAS[type as DetailType].parse(raw),
    ]),
  ) as Record<DetailType, unknown>;
}
