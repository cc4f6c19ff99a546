import * as z from 'zod';
import { DETAIL_TYPES, EVENT_DETAIL_SCHEMAS } from '../events';

/**
 * GET /v1/integrations/{id}/events: the integration's change events from the outbox, with the
 * `detail` they were published with. `asc` (the default) reads forward from `afterSequence`, to
 * follow the events as they come; `desc` reads back from `beforeSequence` (or the newest), to
 * show the latest first. Both bounds exclude the sequence they name. The outbox keeps events 14
 * days.
 */
export const eventsQuerySchema = z
  .strictObject({
    afterSequence: z.coerce.number().int().min(0).default(0),
    beforeSequence: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .refine((query) => query.beforeSequence === undefined || query.beforeSequence > query.afterSequence + 1, {
    message: 'beforeSequence must leave room after afterSequence',
    path: ['beforeSequence'],
  });
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

const [firstType, ...otherTypes] = DETAIL_TYPES.map((type) =>
  z.object({ detailType: z.literal(type), detail: EVENT_DETAIL_SCHEMAS[type] }),
);
if (!firstType) throw new Error('no event detail-types');

/** One stored event: its detail-type and the `detail` consumers of the bus received. */
export const integrationEventSchema = z.discriminatedUnion('detailType', [firstType, ...otherTypes]);

/** A page of events in the order asked for; `hasMore`: ask again from the last one's sequence. */
export const integrationEventListSchema = z.object({
  items: z.array(integrationEventSchema),
  hasMore: z.boolean(),
});
export type IntegrationEventList = z.infer<typeof integrationEventListSchema>;
