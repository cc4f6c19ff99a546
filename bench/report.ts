import { CONSOLE_JS_BUDGET_BYTES, CONSOLE_TARGETS } from './console';
import { monthlyCheckCalls, monthlyCost, PRICES } from './cost';
import type {
  ApiResult,
  AuditResult,
  BenchResults,
  BundleResult,
  Check,
  CheckCalls,
  ConsolePagesResult,
  ConsoleResult,
  CredentialsResult,
  LoadResult,
  MemberCheckResult,
  NeighboursResult,
  SizeResult,
  TagsResult,
  TargetedResult,
  TenantScopeResult,
} from './results';

/** Module load against a hello world's, where it is held tighter than for the other functions. */
const LOAD_RATIO_LIMITS: Readonly<Record<string, number>> = { AuthAuthorizer: 53, CredentialsBroker: 53 };

/** The targets: a regression shows as a missed one, and `npm run bench` exits 1. */
export function checksOf({
  sizes,
  tags,
  memberChecks,
  targeted,
  audit,
  credentials,
  functions,
  console: consoleSize,
  consolePages,
  api,
  tenantScope,
  load,
  neighbours,
}: {
  sizes: readonly SizeResult[];
  tags: readonly TagsResult[];
  memberChecks: readonly MemberCheckResult[];
  targeted: readonly TargetedResult[];
  audit: AuditResult | null;
  credentials: CredentialsResult | null;
  functions: readonly BundleResult[];
  console: ConsoleResult | null;
  consolePages: ConsolePagesResult | null;
  api: readonly ApiResult[];
  tenantScope: TenantScopeResult | null;
  load: LoadResult | null;
  neighbours: NeighboursResult | null;
}): Check[] {
  const checks: Check[] = [];
  const check = (what: string, value: number, target: string, met: boolean) =>
    checks.push({ what, value: round(value), target, met });
  for (const size of sizes) {
    const at = `${size.accounts.toLocaleString('en-US')} accounts`;
    check(`${at}: mirror equals the organization`, Number(size.mirrorMatches), '= 1', size.mirrorMatches);
    const calls = size.orgCalls / size.orgCallsMin;
    check(`${at}: Organizations calls / minimum`, calls, '= 1.00', calls <= 1);
    const wall = size.wallSeconds / size.boundSeconds;
    check(`${at}: wall time / rate-limit bound`, wall, '≤ 1.15', wall <= 1.15);
    check(
      `${at}: PutEvents entries per call`,
      size.putEventsEntriesPerCall,
      '≥ 9.5',
      size.putEventsEntriesPerCall >= 9.5,
    );
    check(`${at}: peak RSS MiB`, size.peakRssMiB, '< 400', size.peakRssMiB < 400);
    check(`${at}: no-op mirror writes`, size.noopMirrorWrites, '= 0', size.noopMirrorWrites === 0);
    check(`${at}: no-op change events`, size.noopChangeEvents, '= 0', size.noopChangeEvents === 0);
  }
  for (const size of tags) {
    const at = `${size.accounts.toLocaleString('en-US')} accounts`;
    check(
      `${at}: first sync's tag reads`,
      size.firstSyncTagCalls,
      `= ${size.nodes} (one per node)`,
      size.firstSyncTagCalls === size.nodes,
    );
    check(`${at}: same-day re-sync's tag reads`, size.sameDayTagCalls, '= 0', size.sameDayTagCalls === 0);
    check(
      `${at}: next-day re-sync's tag reads`,
      size.nextDayTagCalls,
      `= ${size.nodes}`,
      size.nextDayTagCalls === size.nodes,
    );
    check(
      `${at}: a TagResource event's calls`,
      size.eventOrgCalls,
      '= 1',
      size.eventOrgCalls === 1 && size.eventTagged,
    );
  }
  for (const size of memberChecks) {
    const at = `${size.accounts.toLocaleString('en-US')} accounts`;
    const calls = ({ assumeRole, iam, listRegions }: CheckCalls) => assumeRole + iam + listRegions;
    check(`${at}: a no-op re-sync's member-check calls`, calls(size.noop), '= 0', calls(size.noop) === 0);
    for (const [what, run] of [
      ['a new account', size.newAccount],
      ["a region's opt-in", size.regionOptIn],
    ] as const) {
      check(`${at}: ${what}: AssumeRole calls`, run.assumeRole, '≤ 1', run.assumeRole <= 1);
      check(`${at}: ${what}: IAM calls`, run.iam, '≤ 3', run.iam <= 3 && run.listRegions <= 1);
    }
    for (const [what, run, connections] of [
      ['first complete check', size.firstCheck, size.connections],
      ['daily complete check', size.dailyCheck, size.dailyConnections],
    ] as const) {
      check(
        `${at}: ${what}: AssumeRole calls`,
        run.assumeRole,
        `= ${connections} (one per connection)`,
        run.assumeRole === connections,
      );
      check(`${at}: ${what}: IAM calls`, run.iam, `≤ ${3 * connections}`, run.iam <= 3 * connections);
    }
    check(
      `${at}: health records`,
      size.healthRecords,
      `= ${size.dailyConnections}`,
      size.healthRecords === size.dailyConnections,
    );
  }
  if (audit) {
    check(
      'audit: one entry per request that changed something',
      audit.entries,
      `= ${audit.requests}`,
      audit.entries === audit.requests,
    );
    check(
      'audit: write units an entry adds',
      audit.writeUnitsPerRequest,
      '≤ 4 (under 2 KB)',
      audit.writeUnitsPerRequest <= 4,
    );
  }
  for (const run of targeted) {
    const limit = ['MoveAccount', 'UpdateOrganizationalUnit', 'CloseAccountResult'].includes(run.event)
      ? 4
      : 8;
    check(
      `${run.event}: Organizations calls`,
      run.orgCalls,
      `≤ ${limit} (a walk: ${run.walkCalls})`,
      run.orgCalls <= limit,
    );
    check(
      `${run.event}: event published`,
      Number(Number.isFinite(run.secondsToChange)),
      '= 1',
      Number.isFinite(run.secondsToChange),
    );
  }
  if (credentials) {
    const { burst, hours, unshare, share } = credentials;
    const perKey = burst.assumeRoleCalls / burst.cacheKeys;
    check(
      'credentials: AssumeRole calls per cache key, 1,000 requests in a minute',
      perKey,
      '= 1',
      perKey === 1,
    );
    check(
      "credentials: minutes between a key's AssumeRole calls, 1,000 requests over 2 h",
      hours.minMinutesBetweenCalls,
      '≥ 55',
      hours.minMinutesBetweenCalls >= 55,
    );
    check(
      'credentials: requests until a connection un-share counts',
      unshare.connection.requests,
      '= 1',
      unshare.connection.requests === 1,
    );
    check(
      'credentials: a folder un-share counts',
      Number(Number.isFinite(unshare.folder.ms)),
      '= 1',
      Number.isFinite(unshare.folder.ms),
    );
    check('credentials: a share counts', Number(Number.isFinite(share.ms)), '= 1', Number.isFinite(share.ms));
  }
  for (const fn of functions) {
    // The AWS SDK clients a function uses are in its bundle.
    check(`${fn.name}: bundle KB`, fn.bundleBytes / 1000, '≤ 1,000', fn.bundleBytes <= 1_000_000);
    // Against a hello world loaded in the same run: on the hot paths (every API request's
    // authorizer, the platform's credentials), a cold start is paid by a caller waiting.
    const limit = LOAD_RATIO_LIMITS[fn.name] ?? 88;
    const ratio = fn.loadMs / fn.helloWorldLoadMs;
    check(`${fn.name}: module load / hello world`, ratio, `≤ ${limit}`, ratio <= limit);
  }
  if (consoleSize) {
    const kb = consoleSize.initialJsGzipBytes / 1024;
    check(
      'console: initial JavaScript, KB gzipped',
      kb,
      `≤ ${CONSOLE_JS_BUDGET_BYTES / 1024}`,
      consoleSize.initialJsGzipBytes <= CONSOLE_JS_BUDGET_BYTES,
    );
  }
  if (consolePages) {
    const { firstPageMs, searchMs, progressLagMs, pollIntervalMs } = consolePages;
    check(
      'console: tree first page, ms',
      firstPageMs,
      `≤ ${CONSOLE_TARGETS.firstPageMs}`,
      firstPageMs <= CONSOLE_TARGETS.firstPageMs,
    );
    check(
      'console: search, ms',
      searchMs,
      `≤ ${CONSOLE_TARGETS.searchMs}`,
      searchMs <= CONSOLE_TARGETS.searchMs,
    );
    check(
      'console: sync progress lag, ms',
      progressLagMs,
      `≤ ${pollIntervalMs} (one poll)`,
      progressLagMs <= pollIntervalMs,
    );
  }
  for (const route of api)
    check(`${route.route}: failed requests`, route.failures, '= 0', route.failures === 0);
  if (tenantScope) {
    const { tenants, cold, warm } = tenantScope;
    const perTenant = (cold.assumeRoleCalls + warm.assumeRoleCalls) / tenants;
    check(
      'tenant table scope: AssumeRole calls per tenant, two requests each',
      perTenant,
      '= 1',
      perTenant === 1,
    );
  }
  if (load) {
    check('load: 5xx answers and connection errors', load.serverErrors, '= 0', load.serverErrors === 0);
    check('load: lost updates', load.lostUpdates, '= 0', load.lostUpdates === 0);
    check('load: writes neither accepted nor 412', load.writesOther, '= 0', load.writesOther === 0);
    const growth = load.rssEndMiB / load.rssStartMiB;
    check('load: RSS at the end / at the start', growth, '≤ 1.25', growth <= 1.25);
  }
  if (neighbours) {
    const raised = neighbours.quietP99FloodedMs / neighbours.quietP99BesideShareMs;
    check("load: a quiet tenant's p99 beside a flood / beside the share", raised, '≤ 1.2', raised <= 1.2);
    const share = neighbours.floodThrottled / (neighbours.floodThrottled + neighbours.floodAnswered);
    check('load: share of the flood answered 429', share, '≥ 0.8', share >= 0.8);
  }
  return checks;
}

export function printReport(results: BenchResults): void {
  const { machine, settings } = results;
  const lines = [
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}`,
    `command: ${results.command} (time factor ×${settings.timeFactor}, round trip ${settings.latencyMs} ms)`,
  ];
  if (results.sizes.length > 0) {
    lines.push(
      '',
      table(
        [
          'accounts',
          'OUs',
          'org calls',
          'minimum',
          'ratio',
          'wall s',
          'bound s',
          'ratio',
          'writes',
          'items',
          'PutEvents',
          'per call',
          'RSS MiB',
          'no-op writes',
          'no-op events',
          'no-op reads',
        ],
        results.sizes.map((size) => [
          size.accounts,
          size.ous,
          size.orgCalls,
          size.orgCallsMin,
          size.orgCalls / size.orgCallsMin,
          size.wallSeconds,
          size.boundSeconds,
          size.wallSeconds / size.boundSeconds,
          size.dynamodbWriteRequests,
          size.dynamodbWriteItems,
          size.putEventsCalls,
          size.putEventsEntriesPerCall,
          size.peakRssMiB,
          size.noopMirrorWrites,
          size.noopChangeEvents,
          `${size.noopReadRequests} (${size.noopReadItems} items)`,
        ]),
      ),
      '',
      `one integration a month, unchanged organization: a sync every 6 h and a member check a day (${PRICES.source}, no free tier)`,
      table(
        [
          'accounts',
          'syncs',
          'member checks',
          'Lambda GB-s',
          'Lambda $',
          'Step Functions $',
          'DynamoDB $',
          'EventBridge $',
          'total $',
          'AssumeRole',
          'IAM calls',
        ],
        results.sizes.map(monthlyCost).map((cost) => {
          // STS and IAM calls are free; the checks section counts them.
          const checked = results.memberChecks.find((size) => size.accounts === cost.accounts);
          const month = checked ? roundedCalls(monthlyCheckCalls(checked)) : null;
          return [
            cost.accounts,
            cost.syncs,
            cost.memberChecks,
            Math.round(cost.lambdaGbSeconds),
            cost.dollars.lambda,
            cost.dollars.stepFunctions,
            cost.dollars.dynamodb,
            cost.dollars.eventBridge,
            cost.dollars.total,
            month?.assumeRole ?? '–',
            month?.iam ?? '–',
          ];
        }),
      ),
    );
  }
  if (results.tags.length > 0) {
    lines.push(
      '',
      'Organizations tags (tags.read on): ListTagsForResource calls',
      table(
        [
          'accounts',
          'OUs',
          'first sync',
          'its org calls',
          '+ s at least',
          'same day',
          'next day',
          'one event',
        ],
        results.tags.map((size) => [
          size.accounts,
          size.ous,
          size.firstSyncTagCalls,
          size.firstSyncOrgCalls,
          size.firstSyncAddedSeconds,
          size.sameDayTagCalls,
          size.nextDayTagCalls,
          size.eventOrgCalls,
        ]),
      ),
    );
  }
  if (results.memberChecks.length > 0) {
    const calls = ({ assumeRole, iam, listRegions }: CheckCalls) => `${assumeRole} / ${iam} / ${listRegions}`;
    lines.push(
      '',
      'member check: AssumeRole / IAM / ListRegions calls, and a month of them at the default cadence (a sync every 6 h, a complete check a day)',
      table(
        ['accounts', 'first check', 'no-op re-sync', 'new account', 'opt-in', 'daily check', 'a month'],
        results.memberChecks.map((size) => [
          size.accounts,
          calls(size.firstCheck),
          calls(size.noop),
          calls(size.newAccount),
          calls(size.regionOptIn),
          calls(size.dailyCheck),
          calls(roundedCalls(monthlyCheckCalls(size))),
        ]),
      ),
    );
  }
  if (results.audit) {
    const { audit } = results;
    lines.push(
      '',
      `audit log: ${audit.entries} entries for ${audit.requests} requests, ${Math.round(audit.meanBytes)} bytes each on average (largest ${audit.maxBytes}); each adds ${audit.writeUnitsPerRequest} write units to its transaction, $${round(audit.dollarsPerMillionRequests)} a million requests`,
    );
  }
  if (results.targeted.length > 0) {
    lines.push(
      '',
      table(
        ['event', 'org calls', 'a walk', 'change', 's to event'],
        results.targeted.map((run) => [
          run.event,
          run.orgCalls,
          run.walkCalls,
          run.change,
          run.secondsToChange,
        ]),
      ),
    );
  }
  const { credentials } = results;
  if (credentials) {
    const { uncached, cached, burst, hours, unshare, share } = credentials;
    lines.push(
      '',
      table(
        ['credentials issue', 'requests', 'p50 ms', 'p99 ms'],
        [
          ['uncached (AssumeRole)', uncached.requests, uncached.p50Ms, uncached.p99Ms],
          ['cached', cached.requests, cached.p50Ms, cached.p99Ms],
        ],
      ),
      '',
      table(
        ['requests over', 'requests', 'cache keys', 'AssumeRole calls', 'per 1,000 requests', 'min gap min'],
        [
          { ...burst, minMinutesBetweenCalls: '-' },
          { ...hours, minMinutesBetweenCalls: hours.minMinutesBetweenCalls },
        ].map((run) => [
          `${run.simulatedMinutes} min`,
          run.requests,
          run.cacheKeys,
          run.assumeRoleCalls,
          (run.assumeRoleCalls / run.requests) * 1000,
          run.minMinutesBetweenCalls,
        ]),
      ),
      '',
      table(
        ['change', 'ms until it counts', 'requests'],
        [
          ['connection un-shared', unshare.connection.ms, unshare.connection.requests],
          ['folder un-shared', unshare.folder.ms, unshare.folder.requests],
          ['connection shared', share.ms, share.requests],
        ],
      ),
    );
  }
  if (results.functions.length > 0) {
    lines.push(
      '',
      table(
        ['function', 'bundle KB', 'load ms', 'hello-world ms', 'ratio', 'traced: load ms', 'traced ratio'],
        results.functions.map((fn) => [
          fn.name,
          fn.bundleBytes / 1000,
          fn.loadMs,
          fn.helloWorldLoadMs,
          fn.loadMs / fn.helloWorldLoadMs,
          fn.tracedLoadMs,
          fn.tracedLoadMs / fn.tracedHelloWorldLoadMs,
        ]),
      ),
    );
  }
  if (results.coldPath.length > 0) {
    lines.push(
      '',
      table(
        ['cold path (p50)', 'function', 'cold starts', 'load ms', 'first request ms', 'total ms'],
        results.coldPath.map((cold) => [
          cold.path,
          cold.function,
          cold.coldStarts,
          cold.loadP50Ms,
          cold.firstRequestP50Ms,
          cold.totalP50Ms,
        ]),
      ),
    );
  }
  if (results.console) {
    const { initialJsBytes, initialJsGzipBytes, initialScripts } = results.console;
    lines.push(
      '',
      table(
        ['console', 'scripts', 'KB', 'KB gzipped', 'budget KB', 'ratio'],
        [
          [
            'initial JavaScript',
            initialScripts.length,
            initialJsBytes / 1024,
            initialJsGzipBytes / 1024,
            CONSOLE_JS_BUDGET_BYTES / 1024,
            initialJsGzipBytes / CONSOLE_JS_BUDGET_BYTES,
          ],
        ],
      ),
    );
  }
  if (results.consolePages) {
    const pages = results.consolePages;
    lines.push(
      '',
      table(
        ['console on', 'first page ms', 'whole tree ms', 'search ms', 'progress lag ms', 'poll ms'],
        [
          [
            `${pages.accounts.toLocaleString('en-US')} accounts`,
            pages.firstPageMs,
            pages.wholeTreeMs,
            pages.searchMs,
            pages.progressLagMs,
            pages.pollIntervalMs,
          ],
        ],
      ),
    );
  }
  if (results.api.length > 0) {
    lines.push(
      '',
      table(
        [
          'route',
          'accounts',
          'requests',
          'failed',
          'p50 ms',
          'p99 ms',
          'store p50',
          'store p99',
          'p50 ratio',
        ],
        results.api.map((route) => [
          route.route,
          route.accounts,
          route.requests,
          route.failures,
          route.p50Ms,
          route.p99Ms,
          route.storeP50Ms,
          route.storeP99Ms,
          route.p50Ms / route.storeP50Ms,
        ]),
      ),
    );
  }
  const { tenantScope } = results;
  if (tenantScope) {
    lines.push(
      '',
      table(
        ['tenant scope', 'tenants', 'AssumeRole', 'p50 ms', 'p99 ms', 'read p50 ms'],
        (['cold', 'warm'] as const).map((pass) => {
          const { assumeRoleCalls, p50Ms, p99Ms, readP50Ms } = tenantScope[pass];
          return [pass, tenantScope.tenants, assumeRoleCalls, p50Ms, p99Ms, readP50Ms];
        }),
      ),
    );
  }
  const { load } = results;
  if (load) {
    lines.push(
      '',
      table(
        [
          'load s',
          'reads',
          'p50 ms',
          'p99 ms',
          'writes ok',
          '412',
          'other',
          'syncs',
          '5xx',
          'lost',
          'RSS MiB',
        ],
        [
          [
            load.seconds,
            load.reads,
            load.readP50Ms,
            load.readP99Ms,
            load.writesAccepted,
            load.writesStale,
            load.writesOther,
            load.syncsRequested,
            load.serverErrors,
            load.lostUpdates,
            `${round(load.rssStartMiB)} → ${round(load.rssEndMiB)}`,
          ],
        ],
      ),
    );
  }
  const { neighbours } = results;
  if (neighbours) {
    lines.push(
      '',
      table(
        [
          'neighbours s',
          'flood /s',
          'flood 2xx',
          'flood 429',
          'quiet p99: alone',
          'beside the share',
          'beside the flood',
          'flood / share',
        ],
        [
          [
            neighbours.seconds,
            neighbours.floodRate,
            neighbours.floodAnswered,
            neighbours.floodThrottled,
            neighbours.quietP99AloneMs,
            neighbours.quietP99BesideShareMs,
            neighbours.quietP99FloodedMs,
            neighbours.quietP99FloodedMs / neighbours.quietP99BesideShareMs,
          ],
        ],
      ),
    );
  }
  const missed = results.checks.filter((check) => !check.met);
  lines.push('', `targets: ${results.checks.length - missed.length} of ${results.checks.length} met`);
  for (const check of missed) lines.push(`  MISSED ${check.what}: ${check.value} (target ${check.target})`);
  console.log(lines.join('\n'));
}

function roundedCalls(calls: CheckCalls): CheckCalls {
  return {
    assumeRole: Math.round(calls.assumeRole),
    iam: Math.round(calls.iam),
    listRegions: Math.round(calls.listRegions),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function table(headers: readonly string[], rows: readonly (string | number)[][]): string {
  const cells = rows.map((row) =>
    row.map((cell) =>
      typeof cell === 'number' ? String(Number.isInteger(cell) ? cell : round(cell)) : cell,
    ),
  );
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => row[column]?.length ?? 0)),
  );
  const line = (row: readonly string[]) =>
    row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
  return [line(headers), ...cells.map(line)].join('\n');
}
