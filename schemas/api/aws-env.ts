import { z } from 'zod';

/** GET /v1/aws/env — is the backend's own AWS identity configured? */
export const envCheckSchema = z.object({
  configured: z.boolean(),
  trustedAccountId: z.string().regex(/^\d{12}$/),
  partition: z.enum(['aws', 'aws-us-gov', 'aws-cn']),
  /** The account the backend's credentials belong to, when they work. */
  callerAccountId: z
    .string()
    .regex(/^\d{12}$/)
    .nullable(),
  problem: z
    .object({
      code: z.enum(['NO_AWS_IDENTITY', 'TRUSTED_ACCOUNT_MISMATCH']),
      hint: z.string(),
    })
    .nullable(),
});

export type EnvCheck = z.infer<typeof envCheckSchema>;
