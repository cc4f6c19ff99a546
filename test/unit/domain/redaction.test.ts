import { outboxItem } from '../../../lambdas/adapters/aws/table/items';
import { buildEvent, publishable } from '../../../lambdas/domain/change-events';
import { DETAIL_TYPES, eventJsonSchemas } from '../../../schemas/events';
import { anIntegration } from '../../fixtures/records';

const SECRET = 'acme:0123456789abcdef0123456789abcdef';
const ctx = {
  tenantId: 'acme',
  scope: { level: 'tenant' as const },
  integrationId: anIntegration().id,
  syncRunId: null,
  correlationId: 'request-1',
};

/** Every property name a JSON Schema declares, at any depth. */
function propertyNames(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(propertyNames);
  if (schema === null || typeof schema !== 'object') return [];
  const own = 'properties' in schema && schema.properties ? Object.keys(schema.properties) : [];
  return [...own, ...Object.values(schema).flatMap(propertyNames)];
}

describe('no event carries a secret', () => {
  it.each(DETAIL_TYPES)('the %s schema declares no externalId, at any depth', (detailType) => {
    const names = propertyNames(eventJsonSchemas()[detailType]);

    expect(names.length).toBeGreaterThan(0);
    expect(names).not.toContain('externalId');
  });

  it('publishes an integration without its External ID, however deep it sits', () => {
    const integration = anIntegration({ externalId: SECRET });
    const event = buildEvent('Integration Updated', ctx, 7, {
      integration,
      nested: [{ integration }],
      changes: [
        { field: 'externalId', from: SECRET, to: `${SECRET}-new` },
        { field: 'handle', from: 'old', to: 'new' },
      ],
    });

    const published = publishable(event);

    expect(JSON.stringify(published)).not.toContain(SECRET);
    expect(published.detail).toMatchObject({
      sequence: 7,
      integration: { id: integration.id, handle: integration.handle },
      changes: [{ field: 'handle', from: 'old', to: 'new' }],
    });
  });

  it('writes outbox items only through the redaction', () => {
    const event = buildEvent('Integration Deleted', ctx, 3, {
      integration: anIntegration({ externalId: SECRET }),
    });

    const item = outboxItem.item('acme', ctx.integrationId, event, Date.parse('2026-11-30T00:00:00Z'));

    expect(JSON.stringify(item)).not.toContain(SECRET);
    expect(item).toMatchObject({
      detailType: 'Integration Deleted',
      detail: { sequence: 3, integration: {} },
    });
  });
});
