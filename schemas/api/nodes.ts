import * as z from 'zod';
import {
  accountIdSchema,
  handleSchema,
  optionsSchema,
  ouIdSchema,
  permissionsSchema,
  regionListSchema,
} from './common';

export const folderPathSchema = z.strictObject({ id: z.uuid(), ouId: ouIdSchema });
export const connectionPathSchema = z.strictObject({ id: z.uuid(), accountId: accountIdSchema });

/**
 * PATCH /v1/integrations/{id}/folders/{ouId} and …/connections/{accountId} (with `If-Match`).
 * A setting given overrides what the node inherits; `null` inherits it again. A handle given is
 * the user's from then on: a change of the integration's prefix leaves it alone.
 */
export const modifyNodeSchema = z
  .strictObject({
    handle: handleSchema.optional(),
    regions: regionListSchema.nullable().optional(),
    options: optionsSchema.nullable().optional(),
    permissions: permissionsSchema.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change');
export type ModifyNode = z.infer<typeof modifyNodeSchema>;
