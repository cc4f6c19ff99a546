import * as z from 'zod';
import { accountIdSchema, partitionSchema } from '../core/env';

/** What every function that runs or starts syncs reads from its environment. */
export const syncEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  TRUSTED_ACCOUNT_ID: accountIdSchema,
  ALLOWED_PARTITIONS: z
    .string()
    .transform((list) => list.split(','))
    .pipe(z.array(partitionSchema).min(1)),
  STATE_MACHINE_ARN: z.string().min(1),
});
