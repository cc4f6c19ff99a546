import { randomBytes } from 'node:crypto';
import type { Integration } from '../../schemas/api/integrations';
import type { ChangeEvent } from '../../schemas/events';
import type { MirrorNode, RunCounts, RunError, SyncRun, SyncTargets, SyncTrigger } from '../../schemas/sync';
import { type Clock, systemClock } from '../core/clock';
import { AppError } from '../core/errors';
import { roleSessionName } from '../domain/external-id';
import { nodeKey } from '../domain/node-key';
import { parseRoleArn, type RoleArnRules, roleIdentity } from '../domain/role-arn';
import type { CustomerRolesPort } from '../ports/customer-roles';
import { buildEvent, changeEventOf, type EventContext } from './events';
import { ScopeRules } from './filters';
import { MirrorIndex } from './mirror-index';
import { PacedOrganizations } from './organizations';
import {
  type Change,
  type Checkpoint,
  type FollowUp,
  FollowUpChangedError,
  LeaseLostError,
  MirrorConflictError,
  type MirrorStore,
  NodeHandleTakenError,
  type RunRef,
  SequenceMovedError,
  type StoredRun,
  type SyncStateStore,
  type SyncTarget,
  type WorkflowPort,
} from './ports';
import { type PlanContext, planSettings, planSingleAccount } from './reconcile';
import { type TargetedOptions, TargetedReads } from './targeted';
import { type ChangeWriter, firstCursor, Walk } from './walk';
import { isInterruption } from './workflow-errors';

export interface SyncSettings {
  /** The share of the customer's Organizations rate limits we use. @default 0.5 */
  readonly rateFraction: number;
  /** Containers listed at once. */
  readonly concurrency: number;
  /** A complete run that would delete more than this share of the connections waits for review… */
  readonly deletionShare: number;
  /** …when it would also delete more than this many. */
  readonly deletionMinimum: number;
  /** A run holds its integration's lease this long past its last step. */
  readonly leaseMs: number;
  /** A step stops starting work this long before its invocation must end. */
  readonly stepMarginMs: number;
  readonly roleRules: RoleArnRules;
}

export const DEFAULT_SYNC_SETTINGS: Omit<SyncSettings, 'roleRules'> = {
  rateFraction: 0.5,
  concurrency: 4,
  deletionShare: 0.5,
  deletionMinimum: 5,
  leaseMs: 30 * 60 * 1000,
  stepMarginMs: 60 * 1000,
};

export interface SyncDeps {
  readonly state: SyncStateStore;
  readonly mirror: MirrorStore;
  readonly roles: CustomerRolesPort;
  readonly workflow: Pick<WorkflowPort, 'start'>;
  readonly settings: SyncSettings;
  readonly clock?: Clock;
  readonly random?: () => number;
}

export interface SyncRequest {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly trigger: SyncTrigger;
  readonly confirmDeletions: boolean;
  /** What Organizations events named; absent or null: the whole organization. */
  readonly targets?: SyncTargets | null;
}

/** A chained role session lasts at most an hour; the engine renews it before then. */
const SYNC_SESSION_SECONDS = 3600;

/**
 * The most changes written in one transaction: each is up to four items (the node, a handle
 * claim taken and one released, its event), beside the integration's item (the lease check
 * and the event sequence), of 100 allowed.
 */
const CHANGES_PER_WRITE = 24;
/** A write whose event numbers were taken this many times in a row gives up as a conflict. */
const SEQUENCE_ATTEMPTS = 10;

export function makeSyncService(deps: SyncDeps) {
  const { state, mirror, roles, workflow, settings } = deps;
  const clock = deps.clock ?? systemClock;
  const iso = () => new Date(clock.now()).toISOString();

  function newRun(integrationId: string, { trigger, confirmDeletions, targets }: FollowUp): SyncRun {
    const startedAt = iso();
    return {
      // Sortable to the millisecond, so an integration's runs list newest first even when one
      // starts in the same second as the previous one ended.
      id: `${startedAt.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`,
      integrationId,
      trigger,
      status: 'running',
      confirmDeletions,
      targets,
      startedAt,
      finishedAt: null,
      progress: { foldersSeen: 0, accountsSeen: 0, organizationsCalls: 0, steps: 0 },
      counts: { created: 0, updated: 0, deleted: 0, heldDeletions: 0 },
      error: null,
    };
  }

  async function leasedTarget(ref: RunRef): Promise<SyncTarget> {
    const target = await state.target(ref.tenantId, ref.integrationId);
    if (!target || target.activeRunId !== ref.runId) throw new LeaseLostError(ref.runId);
    return target;
  }

  function eventContext(target: SyncTarget, runId: string | null): EventContext {
    return {
      tenantId: target.tenantId,
      scope: target.integration.scope,
      integrationId: target.integration.id,
      syncRunId: runId,
    };
  }

  /**
   * Writes changes in transactions, each with its event, and keeps the index and counts in step.
   * Each transaction also gives out its events' sequence numbers, counting on from `sequence`
   * (shared by the writers of one step); when another writer took numbers in between, the
   * events are numbered again from where it left the counter. When another integration holds a
   * handle the plan chose, the plan is made again without it.
   */
  function changeWriter(
    target: SyncTarget,
    runId: string,
    index: MirrorIndex,
    counts: MutableCounts,
    sequence: { last: number } = { last: target.eventSequence },
  ) {
    const takenHandles = new Set<string>();
    const ref = { tenantId: target.tenantId, integrationId: target.integration.id, runId };
    const ctx = eventContext(target, runId);
    const applyNumbered = async (batch: readonly Change[]) => {
      for (let attempt = 1; ; attempt += 1) {
        const first = sequence.last + 1;
        try {
          await mirror.apply(
            ref,
            batch.map((change, offset) => ({ change, event: changeEventOf(change, ctx, first + offset) })),
          );
          sequence.last += batch.length;
          return;
        } catch (error: unknown) {
          if (!(error instanceof SequenceMovedError)) throw error;
          // Edits are rare beside a run; so many in a row are a conflict the workflow retries.
          if (attempt >= SEQUENCE_ATTEMPTS) throw new MirrorConflictError();
          sequence.last = error.eventSequence;
        }
      }
    };
    let queue = Promise.resolve();
    const write = async (plan: (taken: ReadonlySet<string>) => Change[]) => {
      for (;;) {
        const changes = plan(takenHandles);
        try {
          for (let start = 0; start < changes.length; start += CHANGES_PER_WRITE) {
            const batch = changes.slice(start, start + CHANGES_PER_WRITE);
            await applyNumbered(batch);
            for (const change of batch) {
              index.apply(change);
              counts[
                change.kind === 'create' ? 'created' : change.kind === 'update' ? 'updated' : 'deleted'
              ] += 1;
            }
          }
          return;
        } catch (error: unknown) {
          if (!(error instanceof NodeHandleTakenError)) throw error;
          takenHandles.add(error.handle);
        }
      }
    };
    // One write at a time: plans read the index that earlier writes changed.
    return (plan: (taken: ReadonlySet<string>) => Change[]) => {
      const next = queue.then(() => write(plan));
      queue = next.catch(() => undefined);
      return next;
    };
  }

  async function eventsOf(
    target: SyncTarget,
    runId: string,
    build: (ctx: EventContext, sequence: () => number) => ChangeEvent[],
    count: number,
  ): Promise<ChangeEvent[]> {
    let next = await state.reserveSequence(target.tenantId, target.integration.id, count);
    return build(eventContext(target, runId), () => next++);
  }

  function assumeFor(integration: Integration, tenantId: string) {
    const role = parseRoleArn(integration.roleArn, settings.roleRules);
    return {
      arn: role.arn,
      assume: () =>
        roles.assumeRole({
          role,
          externalId: integration.externalId,
          sessionName: roleSessionName('sync', tenantId),
          durationSeconds: SYNC_SESSION_SECONDS,
        }),
    };
  }

  /** Ends a run: its record, the integration's status, the events, the lease, a follow-up. */
  async function finish(
    ref: RunRef,
    outcome: {
      run: SyncRun;
      status: SyncTarget['status'];
      lastError: RunError | null;
      counts: SyncTarget['counts'];
    },
    summary: (ctx: EventContext, sequence: () => number) => ChangeEvent,
  ): Promise<{ next: string | null }> {
    for (let attempt = 0; ; attempt += 1) {
      const target = await leasedTarget(ref);
      const statusChanged = target.status !== outcome.status;
      const events = await eventsOf(
        target,
        ref.runId,
        (ctx, sequence) => [
          summary(ctx, sequence),
          ...(statusChanged
            ? [
                buildEvent('Integration Status Changed', ctx, sequence(), {
                  status: outcome.status,
                  previousStatus: target.status,
                  error: outcome.lastError,
                }),
              ]
            : []),
        ],
        statusChanged ? 2 : 1,
      );
      const nextRun = target.followUp ? newRun(ref.integrationId, target.followUp) : null;
      try {
        await state.finish(ref, {
          ...outcome,
          events,
          followUpSeen: target.followUp,
          nextRun,
          leaseExpiresAt: clock.now() + settings.leaseMs,
        });
        return { next: nextRun?.id ?? null };
      } catch (error: unknown) {
        // A burst of requests may change the follow-up while the run ends: read it again.
        if (!(error instanceof FollowUpChangedError) || attempt >= 10) throw error;
      }
    }
  }

  /** The workflow caught an error: the run ends partial or failed, having deleted nothing. */
  async function failRun(ref: RunRef, error: RunError): Promise<{ next: string | null }> {
    const target = await state.target(ref.tenantId, ref.integrationId);
    if (!target || target.activeRunId !== ref.runId) return { next: null };
    const stored = await state.run(ref);
    const base =
      stored?.run ?? newRun(ref.integrationId, { trigger: 'manual', confirmDeletions: false, targets: null });
    const run: SyncRun = {
      ...base,
      status: isInterruption(error.code) ? 'partial' : 'failed',
      finishedAt: iso(),
      error,
    };
    // A deletion that failed stays a deletion: DELETE again goes on where it stopped.
    const status = target.deleting ? 'deleting' : 'error';
    return finish(ref, { run, status, lastError: error, counts: target.counts }, (ctx, sequence) =>
      buildEvent('Sync Failed', ctx, sequence(), { status: run.status, counts: run.counts, error }),
    );
  }

  /** A deletion run's step: removes the mirror a transaction at a time, each node with its event. */
  async function deletionStep(ref: RunRef, target: SyncTarget, stored: StoredRun, deadline: number) {
    const counts = { ...stored.run.counts };
    const sequence = { last: target.eventSequence };
    let done = false;
    while (!done && clock.now() < deadline - settings.stepMarginMs) {
      // Always the first page: what a page held is gone once it is written.
      const { items } = await mirror.page(ref.tenantId, ref.integrationId, { limit: CHANGES_PER_WRITE });
      const write = changeWriter(target, ref.runId, new MirrorIndex([...items]), counts, sequence);
      await write(() => items.map((node) => ({ kind: 'delete', node })));
      done = items.length === 0;
    }
    const progress = { ...stored.run.progress, steps: stored.run.progress.steps + 1 };
    await state.saveProgress(ref, {
      progress,
      counts,
      // Nothing to resume from: each step reads what is left of the mirror.
      checkpoint: emptyCheckpoint(),
      leaseExpiresAt: clock.now() + settings.leaseMs,
    });
    return { done };
  }

  /** The deletion run's end: the mirror is empty, so the integration and its claims go. */
  async function finishDeletion(ref: RunRef, target: SyncTarget, stored: StoredRun) {
    const left = await mirror.page(ref.tenantId, ref.integrationId, { limit: 1 });
    if (left.items.length > 0) throw new Error(`run ${ref.runId} left folders or connections behind`);
    const { externalId: _secret, ...published } = target.integration;
    const [event] = await eventsOf(
      target,
      ref.runId,
      (ctx, sequence) => [buildEvent('Integration Deleted', ctx, sequence(), { integration: published })],
      1,
    );
    if (!event) throw new Error('no Integration Deleted event was built');
    await state.removeIntegration(ref, {
      run: { ...stored.run, status: 'succeeded', finishedAt: iso() },
      integration: target.integration,
      roleIdentity: roleIdentity(parseRoleArn(target.integration.roleArn, settings.roleRules)),
      event,
    });
    return { next: null };
  }

  return {
    /**
     * Starts a sync of the integration, or folds the request into a follow-up of the running
     * one (a burst of requests becomes one more run, not many).
     */
    async requestSync(request: SyncRequest): Promise<{ runId: string; coalesced: boolean }> {
      const run = newRun(request.integrationId, {
        trigger: request.trigger,
        confirmDeletions: request.confirmDeletions,
        targets: request.targets ?? null,
      });
      const now = clock.now();
      const begun = await state.begin(request, run, { now, leaseExpiresAt: now + settings.leaseMs });
      if (!begun.started) return { runId: begun.activeRunId, coalesced: true };
      const ref = { tenantId: request.tenantId, integrationId: request.integrationId, runId: run.id };
      try {
        await workflow.start(ref);
      } catch (error: unknown) {
        // The lease must not outlive a workflow that never started.
        await failRun(ref, {
          code: 'UPSTREAM_UNAVAILABLE',
          message: 'The sync workflow did not start.',
          hint: null,
        });
        throw error;
      }
      return { runId: run.id, coalesced: false };
    },

    /**
     * Accepts a DELETE: the integration stops syncing at once, and a deletion run (through the
     * same workflow, so it resumes and retries like a sync) removes its folders and connections
     * with their events, then the integration. Asking again while that run lives returns it.
     */
    async requestDeletion(target: {
      readonly tenantId: string;
      readonly integrationId: string;
    }): Promise<{ runId: string; coalesced: boolean }> {
      const run = newRun(target.integrationId, { trigger: 'delete', confirmDeletions: true, targets: null });
      const now = clock.now();
      const begun = await state.beginDeletion(target, run, { now, leaseExpiresAt: now + settings.leaseMs });
      if (!begun.started) return { runId: begun.activeRunId, coalesced: true };
      // If this fails, the integration stays `deleting` with its lease, and DELETE again takes over.
      await workflow.start({ ...target, runId: run.id });
      return { runId: run.id, coalesced: false };
    },

    /** One resumable step: walks and reconciles until done or `deadline` (epoch ms). */
    async step(ref: RunRef, deadline: number): Promise<{ done: boolean }> {
      const target = await leasedTarget(ref);
      const stored = await state.run(ref);
      if (stored?.run.status !== 'running') return { done: true };
      if (stored.run.trigger === 'delete') return deletionStep(ref, target, stored, deadline);
      const { integration } = target;
      const counts = { ...stored.run.counts };
      const index = new MirrorIndex(await mirror.load(ref.tenantId, ref.integrationId));
      const write = changeWriter(target, ref.runId, index, counts);
      const assume = assumeFor(integration, ref.tenantId);
      const baseContext = { integration, now: iso() };
      const progress = { ...stored.run.progress, steps: stored.run.progress.steps + 1 };
      let checkpoint: Checkpoint;

      if (integration.kind === 'account') {
        await assume.assume(); // proves the role still lets us in
        const context: PlanContext = {
          ...baseContext,
          managementAccountId: '',
          partition: integration.partition,
          takenHandles: new Set(),
          scope: new ScopeRules(null, index, null),
        };
        await write((takenHandles) => planSingleAccount(index, { ...context, takenHandles }));
        progress.accountsSeen = 1;
        checkpoint = emptyCheckpoint();
      } else {
        const organizations = new PacedOrganizations(assume, {
          rateFraction: settings.rateFraction,
          clock,
          random: deps.random,
        });
        const counters = { foldersSeen: progress.foldersSeen, accountsSeen: progress.accountsSeen };
        try {
          const targets = stored.run.targets;
          checkpoint =
            stored.checkpoint ??
            (targets
              ? await startTargeted(organizations, targets, {
                  integration,
                  index,
                  write,
                  now: baseContext.now,
                })
              : await startWalk(organizations, integration));
          const context = {
            ...baseContext,
            managementAccountId: checkpoint.managementAccountId,
            partition: checkpoint.partition,
            scope: new ScopeRules(
              integration.filters,
              index,
              checkpoint.targeted ? null : new Set(checkpoint.waysDown),
            ),
          };
          const walk = new Walk({
            organizations,
            index,
            checkpoint,
            context,
            write,
            clock,
            concurrency: settings.concurrency,
            counters,
          });
          checkpoint = await walk.run(deadline - settings.stepMarginMs);
          if (checkpoint.targeted && checkpoint.frontier.length === 0) {
            checkpoint = await confirmRemovals(checkpoint, { organizations, index, context, write });
          }
        } finally {
          progress.organizationsCalls += organizations.calls;
        }
        progress.foldersSeen = counters.foldersSeen;
        progress.accountsSeen = counters.accountsSeen;
      }
      await state.saveProgress(ref, {
        progress,
        counts,
        checkpoint,
        leaseExpiresAt: clock.now() + settings.leaseMs,
      });
      return { done: checkpoint.frontier.length === 0 };
    },

    /**
     * After a complete walk: deletes what is gone (unless that is suspiciously much), then ends
     * the run with its summary. Returns the follow-up run to go on with, if one was asked for,
     * and `checkMembers` when the run walked the whole organization and nothing follows it, so
     * the member roles are checked next.
     */
    async finalize(ref: RunRef): Promise<{ next: string | null; checkMembers: boolean }> {
      const target = await leasedTarget(ref);
      const stored = await state.run(ref);
      if (stored?.run.status !== 'running') return { next: null, checkMembers: false };
      if (stored.run.trigger === 'delete') {
        return { ...(await finishDeletion(ref, target, stored)), checkMembers: false };
      }
      const checkpoint = stored.checkpoint ?? emptyCheckpoint();
      if (checkpoint.frontier.length > 0) throw new Error(`run ${ref.runId} is not complete`);
      const index = new MirrorIndex(await mirror.load(ref.tenantId, ref.integrationId));
      const counts = { ...stored.run.counts };
      const doomed = deletions(index, checkpoint);
      const doomedConnections = doomed.filter((node) => node.type === 'connection').length;
      const totalConnections = index.all().filter((node) => node.type === 'connection').length;
      const held =
        !stored.run.confirmDeletions &&
        doomedConnections > settings.deletionMinimum &&
        doomedConnections > settings.deletionShare * totalConnections;
      const write = changeWriter(target, ref.runId, index, counts);
      if (held) counts.heldDeletions = doomed.length;
      else await write(() => doomed.map((node) => ({ kind: 'delete', node })));
      // Settings flow down the tree as it now stands, and generated handles follow the prefix.
      await write((takenHandles) =>
        planSettings(index, { integration: target.integration, takenHandles, now: iso() }),
      );
      const run: SyncRun = {
        ...stored.run,
        status: held ? 'needs_review' : 'succeeded',
        finishedAt: iso(),
        counts,
      };
      const nodes = index.all();
      const totals = {
        folders: nodes.filter((node) => node.type === 'folder').length,
        connections: nodes.filter((node) => node.type === 'connection').length,
      };
      const { next } = await finish(
        ref,
        { run, status: held ? 'needs_review' : 'connected', lastError: null, counts: totals },
        (ctx, sequence) =>
          buildEvent('Sync Completed', ctx, sequence(), { status: run.status, counts, ...totals }),
      );
      return { next, checkMembers: next === null && run.targets === null };
    },

    fail: failRun,
  };

  async function startWalk(organizations: PacedOrganizations, integration: Integration): Promise<Checkpoint> {
    const organization = await organizations.describeOrganization();
    const rootId = await rootOf(organizations);
    return {
      ...emptyCheckpoint(),
      rootId,
      managementAccountId: organization.managementAccountId,
      partition: partitionOfArn(organization.arn),
      frontier: [firstCursor(rootId)],
      ...(integration.filters?.organizationalUnits.include.length
        ? { waysDown: await waysDown(organizations, integration.filters.organizationalUnits.include, rootId) }
        : {}),
    };
  }
}

/**
 * The OUs above each included OU, up to the root: one ListParents a level (OUs nest at most 5
 * deep). An included OU that is gone adds nothing.
 */
async function waysDown(
  organizations: PacedOrganizations,
  included: readonly string[],
  rootId: string,
): Promise<string[]> {
  const above = new Set<string>();
  for (const ouId of included) {
    let parentId = await organizations.listParents(ouId);
    while (parentId !== null && parentId !== rootId && !above.has(parentId)) {
      above.add(parentId);
      parentId = await organizations.listParents(parentId);
    }
  }
  return [...above];
}

async function rootOf(organizations: PacedOrganizations): Promise<string> {
  const roots: string[] = [];
  let token: string | undefined;
  do {
    const page = await organizations.listRoots(token);
    roots.push(...page.items.map((root) => root.id));
    token = page.nextToken;
  } while (token !== undefined);
  const [rootId] = roots;
  if (rootId === undefined) throw new AppError('UPSTREAM_UNAVAILABLE', 'The organization has no root.');
  return rootId;
}

/**
 * Starts a run that reads only what Organizations events named. The organization is the one the
 * integration was validated against, and its root never changes: the mirror names it, or one
 * ListRoots call does (in place of DescribeOrganization).
 */
async function startTargeted(
  organizations: PacedOrganizations,
  targets: SyncTargets,
  start: { integration: Integration; index: MirrorIndex; write: ChangeWriter; now: string },
): Promise<Checkpoint> {
  const { integration, index, write, now } = start;
  const rootId = index.rootId() ?? (await rootOf(organizations));
  const base: Checkpoint = {
    ...emptyCheckpoint(),
    rootId,
    managementAccountId: integration.managementAccountId ?? integration.accountId,
    partition: integration.partition,
    targeted: true,
  };
  const context = {
    integration,
    now,
    managementAccountId: base.managementAccountId,
    partition: base.partition,
    scope: new ScopeRules(integration.filters, index, null),
  };
  const reads = new TargetedReads({ organizations, index, context, write, rootId });
  await reads.start(targets);
  const removals = [...reads.removals];
  return { ...base, frontier: reads.frontier(), pendingRemovals: removals, confirmed: removals };
}

/**
 * A targeted run's listings are done: each node missing from a listed container is looked up
 * before it may go. A moved account is written where it is now; its new container is listed
 * if the mirror does not know it yet.
 */
async function confirmRemovals(
  checkpoint: Checkpoint,
  options: Omit<TargetedOptions, 'rootId'>,
): Promise<Checkpoint> {
  const confirmed = new Set(checkpoint.confirmed);
  const unconfirmed = checkpoint.pendingRemovals.filter((key) => !confirmed.has(key));
  if (unconfirmed.length === 0) return checkpoint;
  const reads = new TargetedReads({ ...options, rootId: checkpoint.rootId });
  await reads.confirm(unconfirmed);
  const proven = [...confirmed, ...reads.removals];
  return { ...checkpoint, frontier: reads.frontier(), pendingRemovals: proven, confirmed: proven };
}

export type SyncService = ReturnType<typeof makeSyncService>;

type MutableCounts = { -readonly [K in keyof RunCounts]: RunCounts[K] };

function emptyCheckpoint(): Checkpoint {
  return {
    rootId: '',
    managementAccountId: '',
    partition: 'aws',
    frontier: [],
    pendingRemovals: [],
    denied: [],
    persistentlyDenied: [],
  };
}

/** `arn:<partition>:organizations::…` */
function partitionOfArn(arn: string): Checkpoint['partition'] {
  const partition = arn.split(':')[1];
  if (partition === 'aws' || partition === 'aws-us-gov' || partition === 'aws-cn') return partition;
  throw new AppError('UNSUPPORTED_PARTITION', `The organization's ARN names the partition ${partition}.`);
}

/**
 * What a complete walk found gone: nodes missing from their container and not found elsewhere,
 * nodes whose folder is gone, and what lies below an OU denied on two runs in a row. Children
 * come before their folders.
 */
function deletions(index: MirrorIndex, checkpoint: Checkpoint): MirrorNode[] {
  const doomed = new Map<string, MirrorNode>();
  const add = (node: MirrorNode) => {
    if (node.type === 'folder')
      for (const below of index.descendants(node.id)) doomed.set(nodeKey(below), below);
    doomed.set(nodeKey(node), node);
  };
  for (const key of checkpoint.pendingRemovals) {
    const node = index.get(key);
    if (node) add(node);
  }
  for (const node of index.all()) {
    const parentGone =
      node.parentId !== null && node.parentId !== checkpoint.rootId && !index.folder(node.parentId);
    if (parentGone) add(node);
  }
  for (const folderId of checkpoint.persistentlyDenied) {
    for (const node of index.descendants(folderId)) add(node);
  }
  return [...doomed.values()];
}
