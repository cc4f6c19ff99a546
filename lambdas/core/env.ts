import type * as z from 'zod';

/**
 * Validates a function's environment once, at cold start, and fails fast naming every
 * variable that is missing or malformed.
 */
export function loadEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

export { accountIdSchema, type Partition, partitionSchema } from '../../schemas/api/common';
