import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { SandboxOrganization } from '../lambdas/adapters/sandbox/sandbox-organization';
import { systemClock } from '../lambdas/core/clock';
import { describeIssues } from '../lambdas/core/errors';
import { sandboxOrgFixtureSchema } from '../schemas/sandbox-org';

/**
 * Reads and checks the sandbox organization's fixture; a bad file fails the start, naming the field.
 * The organization enforces the Organizations rate limits in real time, as AWS would.
 */
export async function loadSandboxOrganization(
  file: string,
  trustedAccountId: string,
): Promise<SandboxOrganization> {
  const parsed = sandboxOrgFixtureSchema.safeParse(parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`The sandbox organization in ${file} is invalid: ${describeIssues(parsed.error)}`);
  }
  return new SandboxOrganization(parsed.data, trustedAccountId, { rateLimitClock: systemClock });
}
