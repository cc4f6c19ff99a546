import type * as z from 'zod';
import type { SandboxChange } from '../lambdas/adapters/sandbox/forwarded-events';
import type { SandboxOrganization } from '../lambdas/adapters/sandbox/sandbox-organization';
import {
  AppError,
  fieldIssuesOf,
  NotFoundError,
  toErrorEnvelope,
  ValidationError,
} from '../lambdas/core/errors';
import {
  sandboxAccountCreateSchema,
  sandboxManagedAccountSchema,
  sandboxMoveSchema,
  sandboxOuCreateSchema,
  sandboxOuRenameSchema,
  sandboxPolicySchema,
  sandboxRegionsSchema,
  sandboxRoleRequestSchema,
  sandboxStackSetSchema,
  sandboxTagSchema,
} from '../schemas/sandbox-org';

/** What a local route answers: JSON, or text with its content type. */
export interface LocalAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly text?: string;
  readonly contentType?: string;
  /** Headers beside the content type, as the AWS API being played sends them. */
  readonly headers?: Record<string, string>;
}

/** What an admin route did: a line for the console, its answer, and the changes it made. */
interface AdminOutcome {
  readonly what: string;
  readonly answer: LocalAnswer;
  readonly change?: SandboxChange | readonly SandboxChange[];
}

/** `id` is the path's second segment; `name`, a third one that is a parameter (a role's name). */
type AdminRoute = (
  sandbox: SandboxOrganization,
  id: string,
  body: string | undefined,
  name: string,
) => AdminOutcome;

/**
 * The sandbox's admin routes: the customer deploys a role, or changes the organization as an
 * administrator would in AWS. Each answers as the AWS call would, or with an error envelope.
 */
const ADMIN_ROUTES: Readonly<Record<string, AdminRoute>> = {
  'POST roles': (sandbox, _, body) => {
    const role = sandbox.deployments.createRole(parse(sandboxRoleRequestSchema, body));
    const condition = role.externalId === null ? 'no External ID condition' : 'requires the External ID';
    const limits = [
      `template v${role.templateVersion}`,
      ...(role.denyOrganizationalUnits.length === 0
        ? []
        : [`may not list below ${role.denyOrganizationalUnits.join(', ')}`]),
      ...(role.deniedActions.length === 0 ? [] : [`lacks ${role.deniedActions.join(', ')}`]),
    ];
    return {
      what: `role ${role.arn} deployed (${condition}, ${limits.join(', ')})`,
      answer: { status: 201, body: { roleArn: role.arn } },
    };
  },
  'DELETE roles/{id}/{name}': (sandbox, id, _, name) => {
    const role = sandbox.deployments.deleteRole(id, name);
    return { what: `role ${role.arn} deleted`, answer: { status: 204, text: '' } };
  },
  'PUT stack-sets/{id}': (sandbox, id, body) => {
    const stackSet = parse(sandboxStackSetSchema, body);
    sandbox.deployments.putStackSet(id, stackSet);
    return {
      what: `StackSet ${id} in ${stackSet.region} now has ${stackSet.instances.length} instances`,
      answer: { status: 200, body: { name: id, ...stackSet } },
    };
  },
  'PUT policies/{id}': (sandbox, id, body) => {
    const { denyActions } = parse(sandboxPolicySchema, body);
    sandbox.policies.attach(id, denyActions);
    return {
      what: `an SCP on ${id} denies ${denyActions.join(', ')}`,
      answer: { status: 200, body: { targetId: id, denyActions } },
    };
  },
  'DELETE policies/{id}': (sandbox, id) => {
    if (!sandbox.policies.detach(id)) throw new NotFoundError(`An SCP on ${id}`);
    return { what: `the SCP on ${id} removed`, answer: { status: 204, text: '' } };
  },
  'POST organizational-units': (sandbox, _, body) => {
    const { name, parentId } = parse(sandboxOuCreateSchema, body);
    const ou = sandbox.createOrganizationalUnit(name, parentId);
    return {
      what: `OU ${ou.id} "${name}" created under ${parentId}`,
      answer: { status: 201, body: { id: ou.id } },
      change: { kind: 'ou-created', id: ou.id, name, parentId },
    };
  },
  'PATCH organizational-units/{id}': (sandbox, id, body) => {
    const ou = sandbox.renameOrganizationalUnit(id, parse(sandboxOuRenameSchema, body).name);
    return {
      what: `OU ${ou.id} renamed "${ou.name}"`,
      answer: { status: 200, body: ou },
      change: { kind: 'ou-renamed', id: ou.id, name: ou.name },
    };
  },
  'DELETE organizational-units/{id}': (sandbox, id) => {
    const ou = sandbox.deleteOrganizationalUnit(id);
    return {
      what: `OU ${ou.id} deleted`,
      answer: { status: 204, text: '' },
      change: { kind: 'ou-deleted', id: ou.id },
    };
  },
  'POST accounts': (sandbox, _, body) => {
    const { name, email, parentId } = parse(sandboxAccountCreateSchema, body);
    const account = sandbox.createAccount(name, email, parentId);
    return {
      what: `account ${account.id} "${name}" created under ${parentId}`,
      answer: { status: 201, body: { id: account.id } },
      change: { kind: 'account-created', id: account.id, name },
    };
  },
  'POST control-tower/accounts': (sandbox, _, body) => {
    const { name, email, parentId, fail } = parse(sandboxManagedAccountSchema, body);
    if (!sandbox.ou(parentId)) throw new NotFoundError(`Organizational unit ${parentId}`);
    if (fail) {
      return {
        what: `Control Tower failed to vend "${name}" into ${parentId}`,
        answer: { status: 202, body: { state: 'FAILED' } },
        change: { kind: 'managed-account-vended', id: null, name, ouId: parentId },
      };
    }
    const account = sandbox.createAccount(name, email, parentId);
    return {
      what: `Control Tower vended account ${account.id} "${name}" into ${parentId}`,
      answer: { status: 201, body: { id: account.id, state: 'SUCCEEDED' } },
      change: { kind: 'managed-account-vended', id: account.id, name, ouId: parentId },
    };
  },
  'POST accounts/{id}/move': (sandbox, id, body) => {
    const from = sandbox.account(id)?.parentId;
    const account = sandbox.moveAccount(id, parse(sandboxMoveSchema, body).destinationParentId);
    return {
      what: `account ${account.id} moved to ${account.parentId}`,
      answer: { status: 200, body: account },
      ...(from === undefined
        ? {}
        : { change: { kind: 'account-moved', id: account.id, from, to: account.parentId } }),
    };
  },
  'POST accounts/{id}/close': (sandbox, id) => {
    const account = sandbox.closeAccount(id);
    return {
      what: `account ${account.id} closed (${account.state})`,
      answer: { status: 200, body: account },
      change: { kind: 'account-closed', id: account.id },
    };
  },
  'POST accounts/{id}/tags': (sandbox, id, body) => {
    const { tags } = parse(sandboxTagSchema, body);
    const account = sandbox.tagAccount(id, tags);
    return {
      what: `account ${account.id} tagged ${JSON.stringify(account.tags)}`,
      answer: { status: 200, body: account },
      change: { kind: 'tagged', id: account.id, tags },
    };
  },
  'POST ous/{id}/tags': (sandbox, id, body) => {
    const { tags } = parse(sandboxTagSchema, body);
    const ou = sandbox.tagOrganizationalUnit(id, tags);
    return {
      what: `OU ${ou.id} tagged ${JSON.stringify(ou.tags)}`,
      answer: { status: 200, body: ou },
      change: { kind: 'tagged', id: ou.id, tags },
    };
  },
  'PUT accounts/{id}/regions': (sandbox, id, body) => {
    const before = new Set(sandbox.account(id)?.enabledRegions);
    const account = sandbox.setEnabledRegions(id, parse(sandboxRegionsSchema, body).enabled);
    const after = new Set(account.enabledRegions);
    // One event for each region whose opt-in ended, as Account Management sends them.
    const optIns = (regions: Set<string>, others: Set<string>, status: 'ENABLED' | 'DISABLED') =>
      [...regions]
        .filter((region) => !others.has(region))
        .map((region) => ({ kind: 'region-opt-in' as const, id: account.id, region, status }));
    return {
      what: `account ${account.id} now has ${account.enabledRegions.length} regions enabled`,
      answer: { status: 200, body: account },
      change: [...optIns(after, before, 'ENABLED'), ...optIns(before, after, 'DISABLED')],
    };
  },
  'DELETE accounts/{id}': (sandbox, id) => {
    const account = sandbox.removeAccount(id);
    return {
      what: `account ${account.id} removed from the organization`,
      answer: { status: 204, text: '' },
      change: { kind: 'account-removed', id: account.id },
    };
  },
};

/** Answers `/local/sandbox/…` (but GET), or undefined for a route it does not have. */
export function sandboxAdmin(
  sandbox: SandboxOrganization,
  method: string,
  pathname: string,
  body: string | undefined,
  emit: (change: SandboxChange) => void,
): LocalAnswer | undefined {
  const [, kind, id, last] = /^\/local\/sandbox\/([a-z-]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(pathname) ?? [];
  const prefix = `${method} ${kind ?? ''}${id === undefined ? '' : '/{id}'}`;
  // A third segment is a verb (`/move`) where the table has one, else a parameter (`/{name}`).
  // A second segment is a literal (`control-tower/accounts`) where the table has one, else an id.
  const route =
    last === undefined
      ? (ADMIN_ROUTES[`${method} ${kind}/${id}`] ?? ADMIN_ROUTES[prefix])
      : (ADMIN_ROUTES[`${prefix}/${last}`] ?? ADMIN_ROUTES[`${prefix}/{name}`]);
  if (!route) return undefined;
  try {
    const { what, answer, change } = route(sandbox, String(id), body, decodeURIComponent(last ?? ''));
    console.log(`sandbox: ${what}`);
    for (const each of [change ?? []].flat()) emit(each);
    return answer;
  } catch (error: unknown) {
    if (!(error instanceof AppError)) throw error;
    return { status: error.status, body: toErrorEnvelope(error, crypto.randomUUID()) };
  }
}

function parse<T>(schema: z.ZodType<T>, body: string | undefined): T {
  const parsed = schema.safeParse(safeJson(body));
  if (parsed.success) return parsed.data;
  throw new ValidationError('The request body is invalid.', fieldIssuesOf(parsed.error, 'body'));
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
