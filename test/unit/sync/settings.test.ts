import { integrationSettings } from '../../../lambdas/domain/settings';
import type { Change } from '../../../lambdas/domain/sync-runs';
import { MirrorIndex } from '../../../lambdas/sync/mirror-index';
import { planSettings } from '../../../lambdas/sync/reconcile';
import type { Integration } from '../../../schemas/api/integrations';
import type { Connection, Folder, MirrorNode, NodeOverrides } from '../../../schemas/sync';

const integration = {
  id: '3c2e832c-5d0b-4043-a55c-3f1118238ac7',
  handlePrefix: 'aws_',
  regions: ['us-east-1'],
  options: { scanTags: false },
  permissions: { share: 'none' },
} as unknown as Integration;
const top = integrationSettings(integration);
const NOW = '2026-11-23T00:00:00.000Z';

function folder(id: string, parentId: string, overrides: NodeOverrides = {}): Folder {
  return {
    type: 'folder',
    id,
    parentId,
    version: 1,
    name: id,
    handle: `aws_${id.replaceAll('-', '_')}`,
    handleSource: 'generated',
    handlePrefix: 'aws_',
    overrides,
    effective: top,
    access: 'ok',
    accessHint: null,
    updatedAt: NOW,
  };
}

function connection(id: string, parentId: string, overrides: NodeOverrides = {}): Connection {
  return {
    type: 'connection',
    id,
    parentId,
    version: 1,
    name: `account ${id}`,
    handle: `aws_account_${id}`,
    handleSource: 'generated',
    handlePrefix: 'aws_',
    overrides,
    effective: top,
    email: null,
    state: 'ACTIVE',
    disabled: false,
    roleArn: 'role',
    managementAccount: false,
    held: false,
    updatedAt: NOW,
  };
}

function plan(nodes: MirrorNode[], changed: Partial<Integration> = {}): Map<string, MirrorNode> {
  const changes = planSettings(new MirrorIndex(nodes), {
    integration: { ...integration, ...changed },
    takenHandles: new Set(),
    now: NOW,
  });
  return new Map(
    changes.map((change: Change) => [change.kind === 'update' ? change.after.id : '', afterOf(change)]),
  );
}

function afterOf(change: Change): MirrorNode {
  if (change.kind !== 'update') throw new Error(`a settings pass only updates, not ${change.kind}`);
  expect(change.after.version).toBe(change.before.version + 1);
  return change.after;
}

describe('settings down the tree', () => {
  const tree = () => [
    folder('ou-a', 'r-root', { regions: ['eu-west-1'], permissions: { share: 'all' } }),
    folder('ou-b', 'ou-a', { permissions: { share: 'selected', workspaceIds: ['ws-1'] } }),
    connection('111111111111', 'ou-b', { options: { scanTags: true } }),
    connection('222222222222', 'ou-a'),
    connection('333333333333', 'r-root'),
  ];

  it('gives each node the nearest override of each setting, naming where it comes from', () => {
    const updates = plan(tree());

    const deep = updates.get('111111111111');
    expect(deep?.effective).toEqual({
      regions: { value: ['eu-west-1'], source: { type: 'folder', id: 'ou-a' } },
      options: { value: { scanTags: true }, source: { type: 'connection', id: '111111111111' } },
      permissions: {
        value: { share: 'selected', workspaceIds: ['ws-1'] },
        source: { type: 'folder', id: 'ou-b' },
      },
    });
    expect(updates.get('222222222222')?.effective.permissions).toEqual({
      value: { share: 'all' },
      source: { type: 'folder', id: 'ou-a' },
    });
    // Under the root with no override: the integration's settings, as stored already.
    expect(updates.has('333333333333')).toBe(false);
  });

  it('changes nothing once every node holds its effective settings', () => {
    const settled = tree().map((node) => plan(tree()).get(node.id) ?? node);

    expect(plan(settled).size).toBe(0);
  });

  it('follows a changed integration setting only where no folder overrides it', () => {
    const settled = tree().map((node) => plan(tree()).get(node.id) ?? node);

    const updates = plan(settled, { regions: ['ap-south-1'] });

    expect([...updates.keys()].sort()).toEqual(['333333333333']);
    expect(updates.get('333333333333')?.effective.regions.value).toEqual(['ap-south-1']);
  });

  it('renames generated handles after a prefix change, keeping user-set ones', () => {
    const settled = tree().map((node) => plan(tree()).get(node.id) ?? node);
    const userSet = settled.map((node) =>
      node.id === '222222222222' ? { ...node, handle: 'mine', handleSource: 'user' as const } : node,
    );

    const updates = plan(userSet, { handlePrefix: 'org_' });

    expect([...updates.keys()].sort()).toEqual(['111111111111', '333333333333', 'ou-a', 'ou-b']);
    expect(updates.get('111111111111')).toMatchObject({
      handle: 'org_account_111111111111',
      handlePrefix: 'org_',
    });
    expect(updates.get('ou-b')).toMatchObject({ handle: 'org_ou_b', handlePrefix: 'org_' });
  });
});
