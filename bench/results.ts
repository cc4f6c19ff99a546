import type { Percentiles } from './latency';

/*
 * What each bench section measures, and the whole run as the results folder keeps it: the types
 * the sections fill, the report reads and the runner writes.
 */

export interface BenchResults {
  readonly command: string;
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  readonly startedAt: string;
  readonly settings: { full: boolean; timeFactor: number; latencyMs: number };
  readonly sizes: SizeResult[];
  tags: TagsResult[];
  memberChecks: MemberCheckResult[];
  targeted: TargetedResult[];
  audit: AuditResult | null;
  credentials: CredentialsResult | null;
  functions: BundleResult[];
  coldPath: ColdPathResult[];
  console: ConsoleResult | null;
  consolePages: ConsolePagesResult | null;
  api: ApiResult[];
  tenantScope: TenantScopeResult | null;
  load: LoadResult | null;
  neighbours: NeighboursResult | null;
  checks: Check[];
}

/** One figure against its target. */
export interface Check {
  readonly what: string;
  readonly value: number;
  readonly target: string;
  readonly met: boolean;
}

export interface ApiResult {
  readonly route: string;
  /** The size of the mirrored organization. */
  readonly accounts: number;
  readonly requests: number;
  /** Answers that were not 200, and connection errors. */
  readonly failures: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The store reads the handler makes, in the same order, called in process: no HTTP, no auth. */
  readonly storeP50Ms: number;
  readonly storeP99Ms: number;
}

export interface BundleResult {
  /** The function's construct id in the stateless stack. */
  readonly name: string;
  /** The minified `index.js` that `cdk synth` bundled (source maps not counted). */
  readonly bundleBytes: number;
  /** Median time for `node` to require the bundle, in a fresh process each run. */
  readonly loadMs: number;
  /** The same for a minified hello-world handler, each run beside one of the bundle's. */
  readonly helloWorldLoadMs: number;
  /** `loadMs` where the deployment traces AWS calls (`traceAwsCalls`), which loads the X-Ray SDK. */
  readonly tracedLoadMs: number;
  readonly tracedHelloWorldLoadMs: number;
}

/** A cold start end to end: a fresh process loads a function's bundle and answers its first request. */
export interface ColdPathResult {
  /** What the first request asks: a route, or the broker's issue. */
  readonly path: string;
  readonly function: string;
  readonly coldStarts: number;
  readonly loadP50Ms: number;
  readonly firstRequestP50Ms: number;
  /** The median of each cold start's load plus first request. */
  readonly totalP50Ms: number;
}

export interface ConsoleResult {
  /** The scripts the page loads before it shows anything: its entry and the modules it preloads. */
  readonly initialScripts: readonly string[];
  readonly initialJsBytes: number;
  /** The same, gzipped at level 9, as a CDN would serve them compressed. */
  readonly initialJsGzipBytes: number;
}

export interface ConsolePagesResult {
  readonly accounts: number;
  readonly ous: number;
  /** From a click on the integration's link to its tree's first item on screen. */
  readonly firstPageMs: number;
  /** From the same click to every folder and connection loaded behind it. */
  readonly wholeTreeMs: number;
  /** From typing an account id into the loaded tree's search to the match on screen. */
  readonly searchMs: number;
  /** From the status route first answering a new run to the page showing it. */
  readonly progressLagMs: number;
  readonly pollIntervalMs: number;
}

export interface CredentialsResult {
  /** Issues over the local Invoke API, each a new cache key: an AssumeRole and a budget write each. */
  readonly uncached: Latency;
  /** Issues over the local Invoke API of one key already cached: the sharing check only. */
  readonly cached: Latency;
  /** 1,000 requests over 20 connections × 2 consumers × 1 workspace, within one minute. */
  readonly burst: Spread;
  /** The same 1,000 requests spread over two hours, with hour-long sessions. */
  readonly hours: Spread & {
    /** The shortest time between two AssumeRole calls of one cache key. */
    readonly minMinutesBetweenCalls: number;
  };
  /** From the answer to an un-sharing PATCH until the broker refuses, and the requests it took. */
  readonly unshare: { readonly connection: Lag; readonly folder: Lag };
  /** From the answer to a sharing PATCH until the broker issues (the read model's lag). */
  readonly share: Lag;
}

export interface LoadResult {
  readonly seconds: number;
  /** autocannon's GETs of the status, the tree, the list and a connection. */
  readonly reads: number;
  readonly readP50Ms: number;
  readonly readP99Ms: number;
  /** PATCHes with If-Match: accepted (200), refused as stale (412), and anything else. */
  readonly writesAccepted: number;
  readonly writesStale: number;
  readonly writesOther: number;
  readonly syncsRequested: number;
  /** 5xx answers and connection errors, over every request of the run. */
  readonly serverErrors: number;
  /** Accepted writes not visible at the end, plus versions no accepted write explains. */
  readonly lostUpdates: number;
  /** Median RSS of the runtime's process over the first and the last tenth of the run. */
  readonly rssStartMiB: number;
  readonly rssEndMiB: number;
}

export interface NeighboursResult {
  readonly seconds: number;
  /** The flooding tenant's GETs a second, and how many of them its share let through. */
  readonly floodRate: number;
  readonly floodAnswered: number;
  readonly floodThrottled: number;
  /** A quiet tenant's GETs: p99 alone, beside a tenant using its whole share, and beside the flood. */
  readonly quietP99AloneMs: number;
  readonly quietP99BesideShareMs: number;
  readonly quietP99FloodedMs: number;
}

export interface SizeResult {
  readonly accounts: number;
  readonly ous: number;
  readonly depth: number;
  readonly orgCalls: number;
  readonly orgCallsMin: number;
  readonly orgCallsByApi: Record<string, number>;
  readonly wallSeconds: number;
  readonly boundSeconds: number;
  readonly steps: number;
  readonly mirrorMatches: boolean;
  readonly dynamodbWriteRequests: number;
  readonly dynamodbWriteItems: number;
  readonly putEventsCalls: number;
  readonly putEventsEntriesPerCall: number;
  readonly changeEvents: number;
  readonly peakRssMiB: number;
  readonly noopOrgCalls: number;
  readonly noopMirrorWrites: number;
  readonly noopChangeEvents: number;
  readonly noopReadRequests: number;
  readonly noopReadItems: number;
  readonly noopWallSeconds: number;
  /** What an unchanged organization's full sync costs, for the monthly bill (bench/cost.ts). */
  readonly noopSteps: number;
  readonly noopWriteItems: number;
  readonly noopPutEventsEntries: number;
}

export interface TargetedResult {
  /** The Organizations event the sandbox change emits. */
  readonly event: string;
  /** Calls of the runs the event started. */
  readonly orgCalls: number;
  /** What a full walk of the same organization costs at least. */
  readonly walkCalls: number;
  /** From the sandbox change to the connection-change event on the bus. */
  readonly secondsToChange: number;
  readonly change: string;
}

export interface TenantScopeResult {
  readonly tenants: number;
  /** Each tenant's first request: AssumeRole (answered in process), a client, the integrations API composed. */
  readonly cold: ScopePass;
  /** Each tenant's second request: the cached services. */
  readonly warm: ScopePass;
}

export interface Lag {
  readonly ms: number;
  /** Requests made until the answer changed: 1 means the very next request. */
  readonly requests: number;
}

export interface Latency {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface Spread {
  readonly requests: number;
  readonly cacheKeys: number;
  readonly assumeRoleCalls: number;
  readonly simulatedMinutes: number;
}

export interface ScopePass extends Percentiles {
  readonly assumeRoleCalls: number;
  /** The store read of `GET /v1/integrations` on the client the pass got. */
  readonly readP50Ms: number;
}

/** Reading Organizations tags at one organization size (`tags.read` on). */
export interface TagsResult {
  readonly accounts: number;
  readonly ous: number;
  /** Folders and connections mirrored: each has its tags read once by the first sync. */
  readonly nodes: number;
  readonly firstSyncTagCalls: number;
  /** Every Organizations call of the first sync, the tag reads included. */
  readonly firstSyncOrgCalls: number;
  /** The least time the tag reads add to the first sync: calls over ListTagsForResource's rate share. */
  readonly firstSyncAddedSeconds: number;
  /** A re-sync within the day: the stored tags stand. */
  readonly sameDayTagCalls: number;
  /** A re-sync a day later: the daily full read. */
  readonly nextDayTagCalls: number;
  /** The run one TagResource event sets off. */
  readonly eventTagCalls: number;
  readonly eventOrgCalls: number;
  /** Whether that run stored the new tag. */
  readonly eventTagged: boolean;
}

/** What the audit log adds to a request that changes something. */
export interface AuditResult {
  /** Requests that changed something, the integration's creation included. */
  readonly requests: number;
  readonly entries: number;
  readonly meanBytes: number;
  readonly maxBytes: number;
  /** Write units the entry adds to its request's transaction. */
  readonly writeUnitsPerRequest: number;
  readonly dollarsPerMillionRequests: number;
}

/** What a member check asked of AWS: AssumeRole, the IAM reads of its inspection, and ListRegions. */
export interface CheckCalls {
  readonly assumeRole: number;
  readonly iam: number;
  readonly listRegions: number;
}

export interface MemberCheckResult {
  readonly accounts: number;
  /** Active connections at the first check: the accounts, the management account's among them. */
  readonly connections: number;
  /** After the first sync: every role, for the first time. */
  readonly firstCheck: CheckCalls;
  /** After a re-sync that changed nothing, within the interval. */
  readonly noop: CheckCalls;
  /** After a targeted run that created one account. */
  readonly newAccount: CheckCalls;
  /** After the run a region's opt-in event sets off. */
  readonly regionOptIn: CheckCalls;
  /** After a no-op re-sync once the interval has passed: every role again. */
  readonly dailyCheck: CheckCalls;
  /** Active connections at the daily check: the new account's among them. */
  readonly dailyConnections: number;
  /** Health records at the end: one per connection. */
  readonly healthRecords: number;
}
