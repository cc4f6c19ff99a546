import type { Integration } from '../../schemas/api/integrations';
import type { Clock } from '../core/clock';
import { roleSessionName } from '../domain/external-id';
import { parseRoleArn, type RoleArnRules } from '../domain/role-arn';
import type { Checkpoint, RunRef, StoredRun, SyncTarget } from '../domain/sync-runs';
import type { CustomerRolesPort } from '../ports/customer-roles';
import type { MirrorStore, RunRecords } from '../ports/sync-state';
import { ScopeRules } from './filters';
import { MirrorIndex } from './mirror-index';
import { type ChangeWriter, mirrorWriter } from './mirror-writer';
import { PacedOrganizations } from './organizations';
import { type PlanContext, planSingleAccount } from './reconcile';
import { eventContext } from './run';
import { rereadsAllTags, TagReading } from './tags';
import { Walk } from './walk';
import { confirmRemovals, emptyCheckpoint, startTargeted, startWalk } from './walk-start';

/** A chained role session lasts at most an hour; the engine renews it before then. */
const SYNC_SESSION_SECONDS = 3600;

export interface StepDeps {
  readonly mirror: MirrorStore;
  readonly records: Pick<RunRecords, 'saveProgress'>;
  readonly roles: CustomerRolesPort;
  readonly roleRules: RoleArnRules;
  /** The share of the customer's Organizations rate limits we use. */
  readonly rateFraction: number;
  /** Containers listed at once. */
  readonly concurrency: number;
  /** A step stops starting work this long before its invocation must end. */
  readonly stepMarginMs: number;
  readonly leaseMs: number;
  readonly clock: Clock;
  readonly random?: () => number;
}

/**
 * One resumable step of a sync: the single account, or the organization walked (or the
 * containers events named read) until done or the deadline, from the saved checkpoint.
 */
export function makeSyncSteps(deps: StepDeps) {
  const { mirror, records, clock } = deps;
  const iso = () => new Date(clock.now()).toISOString();

  function roleOf(integration: Integration, tenantId: string) {
    const role = parseRoleArn(integration.roleArn, deps.roleRules);
    return {
      arn: role.arn,
      assume: () =>
        deps.roles.assumeRole({
          role,
          externalId: integration.externalId,
          sessionName: roleSessionName('sync', tenantId),
          durationSeconds: SYNC_SESSION_SECONDS,
        }),
    };
  }

  async function accountStep(target: SyncTarget, run: Walking): Promise<Checkpoint> {
    const { integration } = target;
    await roleOf(integration, target.tenantId).assume(); // proves the role still lets us in
    const context: PlanContext = {
      integration,
      now: iso(),
      managementAccountId: '',
      partition: integration.partition,
      takenHandles: new Set(),
      scope: new ScopeRules(null, run.index, null),
      holdNewAccounts: false,
      tags: TagReading.none(run.index),
    };
    await run.write((takenHandles) => planSingleAccount(run.index, { ...context, takenHandles }));
    run.progress.accountsSeen = 1;
    return emptyCheckpoint();
  }

  async function organizationStep(
    target: SyncTarget,
    stored: StoredRun,
    run: Walking,
    deadline: number,
  ): Promise<Checkpoint> {
    const { integration } = target;
    const { index, write, progress } = run;
    const organizations = new PacedOrganizations(roleOf(integration, target.tenantId), {
      rateFraction: deps.rateFraction,
      clock,
      random: deps.random,
    });
    const now = iso();
    const counters = { foldersSeen: progress.foldersSeen, accountsSeen: progress.accountsSeen };
    try {
      const targets = stored.run.targets;
      let checkpoint =
        stored.checkpoint ??
        (targets
          ? await startTargeted(organizations, targets, {
              integration,
              index,
              write,
              now,
              holdNewAccounts: holdsNewAccounts(target),
            })
          : {
              ...(await startWalk(organizations, integration)),
              rereadsTags: rereadsAllTags(target.tagsReadAt, stored.run.trigger, clock.now()),
            });
      const context = {
        integration,
        now,
        managementAccountId: checkpoint.managementAccountId,
        partition: checkpoint.partition,
        scope: new ScopeRules(
          integration.filters,
          index,
          checkpoint.targeted ? null : new Set(checkpoint.waysDown),
        ),
        holdNewAccounts: holdsNewAccounts(target),
        tags: new TagReading(integration, index, checkpoint.rereadsTags === true),
      };
      const walk = new Walk({
        organizations,
        index,
        checkpoint,
        context,
        write,
        clock,
        concurrency: deps.concurrency,
        counters,
      });
      checkpoint = await walk.run(deadline - deps.stepMarginMs);
      if (checkpoint.targeted && checkpoint.frontier.length === 0) {
        checkpoint = await confirmRemovals(checkpoint, { organizations, index, context, write });
      }
      return checkpoint;
    } finally {
      progress.organizationsCalls += organizations.calls;
      progress.organizationsThrottles += organizations.throttles;
      progress.foldersSeen = counters.foldersSeen;
      progress.accountsSeen = counters.accountsSeen;
    }
  }

  return {
    async step(
      ref: RunRef,
      target: SyncTarget,
      stored: StoredRun,
      deadline: number,
    ): Promise<{ done: boolean }> {
      const counts = { ...stored.run.counts };
      const index = new MirrorIndex(await mirror.load(ref.tenantId, ref.integrationId));
      const run: Walking = {
        index,
        write: mirrorWriter(mirror, { ref, events: eventContext(target, ref) }, index, counts, {
          last: target.eventSequence,
        }),
        progress: { ...stored.run.progress, steps: stored.run.progress.steps + 1 },
      };
      const checkpoint =
        target.integration.kind === 'account'
          ? await accountStep(target, run)
          : await organizationStep(target, stored, run, deadline);
      await records.saveProgress(ref, {
        progress: run.progress,
        counts,
        checkpoint,
        leaseExpiresAt: clock.now() + deps.leaseMs,
      });
      return { done: checkpoint.frontier.length === 0 };
    },
  };
}

/** What a step works on: the mirror as it reads it, its writer, and its progress. */
interface Walking {
  readonly index: MirrorIndex;
  readonly write: ChangeWriter;
  readonly progress: { -readonly [K in keyof StoredRun['run']['progress']]: number };
}

/** An integration that holds new accounts holds those found after its first complete sync. */
function holdsNewAccounts(target: SyncTarget): boolean {
  return target.integration.newAccounts === 'hold' && target.mirrored;
}
