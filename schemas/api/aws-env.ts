import * as z from 'zod';
import { accountIdSchema, partitionSchema, regionSchema } from './common';

/** GET /v1/aws/env — is the backend's own AWS identity configured? */
export const envCheckSchema = z.object({
  configured: z.boolean(),
  trustedAccountId: accountIdSchema,
  partition: partitionSchema,
  /** The partition's Regions, for a console's Regions choice. */
  regions: z.array(regionSchema),
  /** The account the backend's credentials belong to, when they work. */
  callerAccountId: accountIdSchema.nullable(),
  problem: z
    .object({
      code: z.enum(['NO_AWS_IDENTITY', 'TRUSTED_ACCOUNT_MISMATCH']),
      hint: z.string(),
    })
    .nullable(),
});

export type EnvCheck = z.infer<typeof envCheckSchema>;
