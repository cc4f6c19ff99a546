import type { Integration } from '../../schemas/api/integrations';
import type { SyncTargets } from '../../schemas/sync';
import { AppError } from '../core/errors';
import type { Checkpoint } from '../domain/sync-runs';
import { ScopeRules } from './filters';
import type { MirrorIndex } from './mirror-index';
import type { ChangeWriter } from './mirror-writer';
import type { PacedOrganizations } from './organizations';
import { TagReading } from './tags';
import { type TargetedOptions, TargetedReads } from './targeted';
import { firstCursor } from './walk';

/** A checkpoint with nothing left to do: what account runs and deletion runs save. */
export function emptyCheckpoint(): Checkpoint {
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

/**
 * Starts a walk of the whole organization from its root. The role must still reach the
 * organization it was registered with: a walk of another one would delete the whole mirror.
 */
export async function startWalk(
  organizations: PacedOrganizations,
  integration: Integration,
): Promise<Checkpoint> {
  const organization = await organizations.describeOrganization();
  if (integration.organizationId !== null && organization.id !== integration.organizationId) {
    throw new AppError(
      'ACCOUNT_MISMATCH',
      `The discovery role now reaches organization ${organization.id}, not ${integration.organizationId}.`,
      {
        hint: 'The account left the organization or joined another. Nothing was changed: register the other organization as a new integration, or delete this one.',
      },
    );
  }
  const rootId = await rootOf(organizations);
  const included = integration.filters?.organizationalUnits.include ?? [];
  return {
    ...emptyCheckpoint(),
    rootId,
    managementAccountId: organization.managementAccountId,
    partition: partitionOfArn(organization.arn),
    frontier: [firstCursor(rootId)],
    ...(included.length ? { waysDown: await waysDown(organizations, included, rootId) } : {}),
  };
}

/**
 * Starts a run that reads only what Organizations events named. The organization is the one the
 * integration was validated against, and its root never changes: the mirror names it, or one
 * ListRoots call does (in place of DescribeOrganization).
 */
export async function startTargeted(
  organizations: PacedOrganizations,
  targets: SyncTargets,
  start: {
    integration: Integration;
    index: MirrorIndex;
    write: ChangeWriter;
    now: string;
    holdNewAccounts: boolean;
  },
): Promise<Checkpoint> {
  const { integration, index, write, now, holdNewAccounts } = start;
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
    holdNewAccounts,
    tags: new TagReading(integration, index, false),
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
export async function confirmRemovals(
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

/** `arn:<partition>:organizations::…` */
function partitionOfArn(arn: string): Checkpoint['partition'] {
  const partition = arn.split(':')[1];
  if (partition === 'aws' || partition === 'aws-us-gov' || partition === 'aws-cn') return partition;
  throw new AppError('UNSUPPORTED_PARTITION', `The organization's ARN names the partition ${partition}.`);
}
