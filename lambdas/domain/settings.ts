import type { Integration } from '../../schemas/api/integrations';
import type { EffectiveSettings, NodeOverrides } from '../../schemas/sync';

/** What the integration itself sets: the top of every folder's and connection's inheritance. */
export function integrationSettings(
  integration: Pick<Integration, 'id' | 'regions' | 'options' | 'permissions'>,
): EffectiveSettings {
  const source = { type: 'integration', id: integration.id } as const;
  return {
    regions: { value: integration.regions, source },
    options: { value: integration.options, source },
    permissions: { value: integration.permissions, source },
  };
}

/**
 * A node's effective settings. Each setting the node overrides comes from the node;
 * every other one is what its parent (a folder, or the integration) has in effect.
 */
export function effectiveSettings(
  node: { readonly type: 'folder' | 'connection'; readonly id: string; readonly overrides: NodeOverrides },
  inherited: EffectiveSettings,
): EffectiveSettings {
  const source = { type: node.type, id: node.id };
  const { regions, options, permissions } = node.overrides;
  return {
    regions: regions === undefined ? inherited.regions : { value: regions, source },
    options: options === undefined ? inherited.options : { value: options, source },
    permissions: permissions === undefined ? inherited.permissions : { value: permissions, source },
  };
}
