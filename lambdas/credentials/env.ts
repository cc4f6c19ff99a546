import * as z from 'zod';
import { DEFAULT_STS_BUDGET } from '../../schemas/credentials';

/** The broker's environment, beside the table and the role rules. */
export const credentialsEnv = {
  /**
   * `alias`: deployed, each consumer invokes the alias named after it, which only its principal
   * may invoke, so the alias proves who calls. `none`: locally, where there is no IAM.
   */
  CONSUMER_IDENTITY: z.enum(['alias', 'none']).default('alias'),
  /** The configured consumers' names, comma-separated: the only aliases that identify a caller. */
  CREDENTIAL_CONSUMERS: z
    .string()
    .default('')
    .transform((list) => list.split(',').filter(Boolean)),
  /** Each tenant's share of the platform account's STS quota: AssumeRole calls a second, and burst. */
  STS_BUDGET_RATE: z.coerce.number().positive().default(DEFAULT_STS_BUDGET.rate),
  STS_BUDGET_BURST: z.coerce.number().int().min(1).default(DEFAULT_STS_BUDGET.burst),
};
