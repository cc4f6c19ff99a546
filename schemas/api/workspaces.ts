import * as z from 'zod';
import { connectionSchema } from '../sync';
import { listSchema, scopeSchema, workspaceIdSchema } from './common';

export const workspacePathSchema = z.strictObject({ workspaceId: workspaceIdSchema });

/** A connection a workspace may use, with the integration it comes from. */
export const workspaceConnectionSchema = z.object({
  integrationId: z.uuid(),
  scope: scopeSchema,
  /** `selected`: the workspace is named in the connection's permissions; `all`: shared with every one. */
  via: z.enum(['selected', 'all']),
  connection: connectionSchema,
});
export type WorkspaceConnection = z.infer<typeof workspaceConnectionSchema>;

export const workspaceConnectionListSchema = listSchema(workspaceConnectionSchema);
