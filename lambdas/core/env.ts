import type * as z from 'zod';
import { describeIssues } from './errors';

/**
 * Validates a function's environment once, at cold start, and fails fast naming every
 * variable that is missing or malformed.
 */
export function loadEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new Error(`Invalid environment: ${describeIssues(result.error)}`);
  }
  return result.data;
}
