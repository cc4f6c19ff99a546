import { parseArgs } from 'node:util';
import { tenantIdSchema } from '../lambdas/core/tenant-context';
import { loadLocalIssuer } from '../local/jwt-issuer';
import { workspaceIdSchema } from '../schemas/api/common';

/**
 * `npm run -s token -- <tenantId> [--roles tenant_owner] [--orgs o1,o2] [--ttl 3600]`
 * prints a token that the local runtime accepts. Roles default to tenant_owner;
 * `--roles ""` gives none.
 *
 * `npm run -s token -- <tenantId> --workspace <id> --broker [--ttl 900]` prints a workspace
 * assertion instead, as the platform signs one for the credentials broker.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      roles: { type: 'string', default: 'tenant_owner' },
      orgs: { type: 'string', default: '' },
      ttl: { type: 'string' },
      subject: { type: 'string' },
      broker: { type: 'boolean', default: false },
      workspace: { type: 'string' },
    },
  });
  const tenantId = tenantIdSchema.safeParse(positionals[0]);
  if (!tenantId.success) {
    throw new Error(
      'Usage: npm run -s token -- <tenantId> [--roles r1,r2] [--orgs o1,o2] [--ttl seconds]\n' +
        '       npm run -s token -- <tenantId> --workspace <workspaceId> --broker [--ttl seconds]',
    );
  }
  const issuer = await loadLocalIssuer();
  const ttlSeconds = values.ttl === undefined ? undefined : Number(values.ttl);
  if (values.broker) {
    const workspaceId = workspaceIdSchema.safeParse(values.workspace);
    if (!workspaceId.success) throw new Error('--broker needs --workspace <workspaceId>.');
    console.log(
      await issuer.signAssertion({ tenantId: tenantId.data, workspaceId: workspaceId.data, ttlSeconds }),
    );
    return;
  }
  const list = (text: string) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const token = await issuer.sign({
    tenantId: tenantId.data,
    roles: list(values.roles),
    orgIds: list(values.orgs),
    ttlSeconds,
    subject: values.subject,
  });
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
