import { DEFAULT_MEMBER_CHECK_INTERVAL_MS } from '../lambdas/domain/member-check-cadence';
import { DEFAULT_MEMBER_CHECK_SETTINGS } from '../lambdas/health/service';
import type { CheckCalls, MemberCheckResult, SizeResult } from './results';

/**
 * AWS's published on-demand list prices for us-east-1, as of 2025 (DynamoDB's on-demand
 * throughput after its reduction of November 2024). Free tiers are left out: they are the
 * account's, not one integration's. Update them here; docs/performance.md quotes them.
 */
export const PRICES = {
  source: 'AWS list prices, us-east-1, as of 2025',
  /** Lambda on arm64, per GB-second, and per request. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** Step Functions Standard, per state transition. */
  stateTransition: 0.025 / 1000,
  /** DynamoDB on-demand, Standard table class, per write and read request unit. */
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  /** EventBridge custom events, per event of up to 64 KB. */
  event: 1 / 1e6,
} as const;

/** The deployment's defaults that set how often the work below happens. */
const SYNC_INTERVAL_HOURS = 6;
const SYNC_FUNCTION_GB = 1;
const HOURS_A_MONTH = 730;
/** A step's Lambda budget: 15 minutes, of which the last is kept to record the page under way. */
const STEP_SECONDS = 14 * 60;

export interface MonthlyCost {
  readonly accounts: number;
  /** Scheduled syncs of an unchanged organization. */
  readonly syncs: number;
  /** Checks of every member role: a no-op re-sync sets off none, so one per interval. */
  readonly memberChecks: number;
  readonly lambdaGbSeconds: number;
  readonly lambdaRequests: number;
  readonly stateTransitions: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly events: number;
  /** In dollars a month, by service, and in all. */
  readonly dollars: {
    readonly lambda: number;
    readonly stepFunctions: number;
    readonly dynamodb: number;
    readonly eventBridge: number;
    readonly total: number;
  };
}

/**
 * One integration's monthly bill in steady state, from what the sync benchmark counted for an
 * unchanged organization of its size: a scheduled full sync every interval, and a check of every
 * member role once per member-check interval (a no-op re-sync sets off none). Changes in the
 * organization add their writes and events on top (a few cents per thousand changes), and a
 * sync that changes connections sets off a check sooner.
 *
 * Assumptions, each an upper bound: every written item is under 1 KB and written in a
 * transaction (2 write units); every item read costs a whole read unit (a strongly consistent
 * read of up to 4 KB, where a Query of small items costs a quarter of that). A member check
 * writes every connection's health record (renewing it) and reads it and the connection once, and runs at its rate
 * limit, so its Lambda time is its AssumeRole calls over that rate.
 */
export function monthlyCost(size: SizeResult): MonthlyCost {
  const syncs = HOURS_A_MONTH / SYNC_INTERVAL_HOURS;
  const memberChecks = (HOURS_A_MONTH * 3600 * 1000) / DEFAULT_MEMBER_CHECK_INTERVAL_MS;
  const checkSeconds = size.accounts / DEFAULT_MEMBER_CHECK_SETTINGS.ratePerSecond;
  const checkInvocations = Math.ceil(checkSeconds / STEP_SECONDS);
  const perSync = {
    gbSeconds: size.noopWallSeconds * SYNC_FUNCTION_GB,
    // The steps and finalize.
    requests: size.noopSteps + 1,
    // Sync or check?, two a step, Finalize, Follow-up?, Done (lambdas/sync/workflow.ts).
    transitions: 1 + 2 * size.noopSteps + 2 + 1,
    writeUnits: 2 * size.noopWriteItems,
    readUnits: size.noopReadItems,
    events: size.noopPutEventsEntries,
  };
  const perCheck = {
    gbSeconds: checkSeconds * SYNC_FUNCTION_GB,
    requests: checkInvocations,
    // Start member check, three a check invocation.
    transitions: 1 + 3 * checkInvocations,
    writeUnits: size.accounts,
    readUnits: 2 * size.accounts,
  };
  const total = {
    lambdaGbSeconds: syncs * perSync.gbSeconds + memberChecks * perCheck.gbSeconds,
    lambdaRequests: syncs * perSync.requests + memberChecks * perCheck.requests,
    stateTransitions: syncs * perSync.transitions + memberChecks * perCheck.transitions,
    writeUnits: syncs * perSync.writeUnits + memberChecks * perCheck.writeUnits,
    readUnits: syncs * perSync.readUnits + memberChecks * perCheck.readUnits,
    events: syncs * perSync.events,
  };
  const lambda = total.lambdaGbSeconds * PRICES.lambdaGbSecond + total.lambdaRequests * PRICES.lambdaRequest;
  const stepFunctions = total.stateTransitions * PRICES.stateTransition;
  const dynamodb = total.writeUnits * PRICES.writeUnit + total.readUnits * PRICES.readUnit;
  const eventBridge = total.events * PRICES.event;
  return {
    accounts: size.accounts,
    syncs,
    memberChecks,
    ...total,
    dollars: {
      lambda,
      stepFunctions,
      dynamodb,
      eventBridge,
      total: lambda + stepFunctions + dynamodb + eventBridge,
    },
  };
}

/**
 * What one integration's member checks ask of AWS in a month at the default cadence, from what
 * the checks section counted: of the scheduled syncs, the one a day that finds the last complete
 * check an interval old sets off a complete check; the others are no-op re-syncs. Events add a
 * targeted check each on top.
 */
export function monthlyCheckCalls(
  result: MemberCheckResult,
): CheckCalls & { readonly completeChecks: number } {
  const syncs = HOURS_A_MONTH / SYNC_INTERVAL_HOURS;
  const completeChecks = (HOURS_A_MONTH * 3600 * 1000) / DEFAULT_MEMBER_CHECK_INTERVAL_MS;
  const of = (kind: keyof CheckCalls) =>
    completeChecks * result.dailyCheck[kind] + (syncs - completeChecks) * result.noop[kind];
  return {
    completeChecks,
    assumeRole: of('assumeRole'),
    iam: of('iam'),
    listRegions: of('listRegions'),
  };
}
