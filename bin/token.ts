import { parseArgs } from 'node:util';
import { tenantIdSchema } from '../lambdas/core/tenant-context';
import { loadLocalIssuer } from '../local/jwt-issuer';

/**
 * `npm run -s token -- <tenantId> [--roles tenant_owner] [--orgs o1,o2] [--ttl 3600]`
 * prints a token that the local runtime accepts. Roles default to tenant_owner;
 * `--roles ""` gives none.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      roles: { type: 'string', default: 'tenant_owner' },
      orgs: { type: 'string', default: '' },
      ttl: { type: 'string', default: '3600' },
      subject: { type: 'string' },
    },
  });
  const tenantId = tenantIdSchema.safeParse(positionals[0]);
  if (!tenantId.success) {
    throw new Error('Usage: npm run -s token -- <tenantId> [--roles r1,r2] [--orgs o1,o2] [--ttl seconds]');
  }
  const issuer = await loadLocalIssuer();
  const list = (text: string) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const token = await issuer.sign({
    tenantId: tenantId.data,
    roles: list(values.roles),
    orgIds: list(values.orgs),
    ttlSeconds: Number(values.ttl),
    subject: values.subject,
  });
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
