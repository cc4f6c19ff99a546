import * as z from 'zod';

/** The schedule's interval, read by the functions that put integrations on the schedule. */
export const scheduleIntervalEnv = {
  SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(1),
};

/** The fan-out's environment, beside the sync environment (it starts syncs). */
export const scheduleEnv = {
  ...scheduleIntervalEnv,
  MAX_CONCURRENT_SYNCS: z.coerce.number().int().min(1),
};
