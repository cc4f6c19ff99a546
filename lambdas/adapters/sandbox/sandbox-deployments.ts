import { randomBytes } from 'node:crypto';
import type { Partition } from '../../../schemas/api/common';
import type { SandboxRoleRequest, SandboxStackSet } from '../../../schemas/sandbox-org';
import { NotFoundError, ValidationError } from '../../core/errors';
import { roleArnOf } from '../../domain/role-arn';
import { TEMPLATE_VERSIONS } from '../../domain/template-versions';

export interface SandboxRole {
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  /** The account the trust policy names. */
  readonly trustedAccountId: string;
  /** The `sts:ExternalId` the trust policy requires; null when it has no such condition. */
  readonly externalId: string | null;
  /** OUs below which the role's listings answer AccessDenied. */
  readonly denyOrganizationalUnits: readonly string[];
  /** The version of our template the role was deployed from, as its tag would say. */
  readonly templateVersion: number;
  /** Actions its own policy lacks. */
  readonly deniedActions: readonly string[];
}

/** Credentials the sandbox's STS issued, and what GetCallerIdentity answers for them. */
export interface SandboxSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAt: Date;
  readonly accountId: string;
  /** `arn:<partition>:sts::<account>:assumed-role/<role>/<session name>` */
  readonly arn: string;
  readonly sourceIdentity: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What customers deployed into the sandbox: roles with their trust policies (checked by rules,
 * as no credentials are held), the sessions the sandbox's STS issued for them, and member-role
 * StackSets as `PUT /local/sandbox/stack-sets/{name}` left them.
 */
export class SandboxDeployments {
  private readonly roles = new Map<string, SandboxRole>();
  /** Issued credentials by access key id, until they expire. */
  private readonly sessions = new Map<string, SandboxSession>();
  private readonly stackSets = new Map<string, SandboxStackSet>();

  constructor(
    private readonly partition: Partition,
    /** The platform's account: the only one sandbox roles trust. */
    private readonly trustedAccountId: string,
  ) {}

  /**
   * Plays "the customer deployed the template". An account outside the organization is a
   * standalone account. A null External ID makes a role without that condition.
   */
  createRole(request: SandboxRoleRequest): SandboxRole {
    if (request.accountId === this.trustedAccountId) {
      throw new ValidationError('Customer roles live in customer accounts.', [
        { field: 'body.accountId', message: "is the platform's own account" },
      ]);
    }
    const role: SandboxRole = {
      arn: roleArnOf(this.partition, request.accountId, request.roleName),
      accountId: request.accountId,
      name: request.roleName,
      trustedAccountId: this.trustedAccountId,
      externalId: request.externalId,
      denyOrganizationalUnits: request.denyOrganizationalUnits ?? [],
      templateVersion: request.templateVersion ?? TEMPLATE_VERSIONS['member-account-role'],
      deniedActions: request.deniedActions ?? [],
    };
    // IAM role names are unique per account regardless of case; deploying again updates the role.
    this.roles.set(roleKey(request.accountId, request.roleName), role);
    return role;
  }

  /** Plays "the customer deleted the role": STS refuses it from now on, and its sessions are refused. */
  deleteRole(accountId: string, roleName: string): SandboxRole {
    const role = this.roles.get(roleKey(accountId, roleName));
    if (!role) throw new NotFoundError(`The role ${roleName} in ${accountId}`);
    this.roles.delete(roleKey(accountId, roleName));
    return role;
  }

  role(accountId: string, roleName: string): SandboxRole | undefined {
    return this.roles.get(roleKey(accountId, roleName));
  }

  /**
   * Credentials for a session of a role that let the caller in, as STS makes them: an `ASIA`
   * access key, a secret and a session token, each random. Expired sessions are forgotten.
   */
  issueSession(
    role: SandboxRole,
    session: {
      readonly name: string;
      readonly expiresAt: Date;
      readonly sourceIdentity: string | null;
      readonly tags: Readonly<Record<string, string>>;
    },
  ): SandboxSession {
    const now = Date.now();
    for (const [key, issued] of this.sessions)
      if (issued.expiresAt.getTime() <= now) this.sessions.delete(key);
    const issued: SandboxSession = {
      accessKeyId: `ASIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiresAt: session.expiresAt,
      accountId: role.accountId,
      arn: `arn:${this.partition}:sts::${role.accountId}:assumed-role/${role.name}/${session.name}`,
      sourceIdentity: session.sourceIdentity,
      tags: session.tags,
    };
    this.sessions.set(issued.accessKeyId, issued);
    return issued;
  }

  /** The session an access key belongs to, while it lasts. */
  session(accessKeyId: string): SandboxSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** Plays "the customer's StackSet reached these accounts, with these outcomes". */
  putStackSet(name: string, stackSet: SandboxStackSet): void {
    this.stackSets.set(name, stackSet);
  }

  stackSet(name: string): SandboxStackSet | undefined {
    return this.stackSets.get(name);
  }

  /** The roles, without their External IDs, for `GET /local/sandbox`. */
  snapshot() {
    return [...this.roles.values()].map(
      ({ arn, accountId, name, externalId, denyOrganizationalUnits, templateVersion, deniedActions }) => ({
        arn,
        accountId,
        name,
        externalIdRequired: externalId !== null,
        denyOrganizationalUnits,
        templateVersion,
        deniedActions,
      }),
    );
  }
}

function roleKey(accountId: string, roleName: string): string {
  return `${accountId}:${roleName.toLowerCase()}`;
}
