import { parseArgs } from 'node:util';
import { DEFAULT_LOCAL_CONFIG, type LocalConfig, parseFairUse, parseInterval } from '../local/config';
import { CONSOLE_PATH, CONSOLE_VITE_CONFIG, consoleBuilt } from '../local/console';
import { startLocalRuntime } from '../local/runtime';

/**
 * `npm start [-- --aws [--emulator]] [--schedule INTERVAL] [--fair-use K=V,...] [--data DIR] [--port N]`:
 * the whole backend on this machine. `--schedule 1m` runs the schedule's fan-out, re-syncing each
 * integration once a minute. `--fair-use roleTestsPerMinute=30,syncsPerMinute=30` takes a
 * deployment's per-tenant limits (also requestsPerSecond, requestBurst, maxIntegrations).
 * PORT in the environment sets the port too; SANDBOX_ORG names another sandbox organization.
 * `--aws --emulator` runs on the real SDK adapters against an emulator named by AWS_ENDPOINT_URL.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      aws: { type: 'boolean', default: false },
      emulator: { type: 'boolean', default: false },
      data: { type: 'string' },
      port: { type: 'string' },
      schedule: { type: 'string' },
      'fair-use': { type: 'string' },
    },
  });
  const config: LocalConfig = {
    ...DEFAULT_LOCAL_CONFIG,
    mode: values.aws ? 'aws' : 'sandbox',
    emulator: values.emulator,
    port: Number(values.port ?? process.env.PORT ?? DEFAULT_LOCAL_CONFIG.port),
    dataDir: values.data,
    sandboxOrgFile: process.env.SANDBOX_ORG ?? DEFAULT_LOCAL_CONFIG.sandboxOrgFile,
    ...(values.schedule === undefined
      ? {}
      : { schedule: true, scheduleIntervalMs: parseInterval(values.schedule) }),
    ...(values['fair-use'] === undefined
      ? {}
      : { fairUse: parseFairUse(values['fair-use'], DEFAULT_LOCAL_CONFIG.fairUse) }),
  };
  if (!(await consoleBuilt())) {
    console.log('Building the console (once; npm run console:build builds it again)…');
    const { build } = await import('vite');
    await build({ configFile: CONSOLE_VITE_CONFIG, logLevel: 'warn' });
  }
  const runtime = await startLocalRuntime(config);
  const token = await runtime.issuer.sign({ tenantId: 'demo', roles: ['tenant_owner'] });

  console.log(`aws-org-connections is running at ${runtime.url} (${config.mode} mode)`);
  console.log(`Console: ${runtime.url}${CONSOLE_PATH} (sign in as one of the sandbox's people)`);
  console.log(`Platform account (the one customer roles trust): ${runtime.config.trustedAccountId}`);
  console.log(`Table: ${runtime.config.tableName} on DynamoDB Local at ${runtime.dynamoDbEndpoint}`);
  if (config.schedule) {
    console.log(`Schedule: each integration is re-synced every ${values.schedule}, at its own moment.`);
  }
  if (config.emulator) {
    console.log('Emulator mode: a role that does not enforce its External ID is only a warning.');
  }
  const { fairUse } = runtime.config;
  console.log(
    `Fair use, per tenant: ${fairUse.requestsPerSecond} requests a second (burst ${fairUse.requestBurst}), ${fairUse.roleTestsPerMinute} role tests and ${fairUse.syncsPerMinute} syncs a minute`,
  );
  console.log(
    `DynamoDB Local: ${runtime.dynamoDbEndpoint}${config.dataDir ? ` (data in ${config.dataDir})` : ' (in memory)'}`,
  );
  console.log('\nA token for tenant "demo" with the tenant_owner role (valid 1 h):');
  console.log(token);
  console.log('\nTry:');
  console.log(`  curl -s -H "Authorization: Bearer ${token}" ${runtime.url}/v1/aws/onboarding`);
  if (runtime.sandbox) {
    console.log(
      `\nSandbox organization ${runtime.sandbox.id}, management account ${runtime.sandbox.managementAccountId}: ${runtime.url}/local/sandbox`,
    );
  }
  console.log(`\nMore tokens: npm run -s token -- <tenantId> [--roles tenant_owner] [--orgs o1,o2]`);

  const shutdown = async () => {
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
