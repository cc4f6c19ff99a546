import type { Partition } from '../../schemas/api/common';
import { AppError } from '../core/errors';

/** The partitions whose IAM we speak. Others (such as the isolated regions) are refused by name. */
export const KNOWN_PARTITIONS: readonly Partition[] = ['aws', 'aws-us-gov', 'aws-cn'];

/** The role the member-account template creates in every account, unless told otherwise. */
export const DEFAULT_MEMBER_ROLE_NAME = 'OrgConnectionsReadOnly';

export interface RoleArn {
  readonly arn: string;
  readonly partition: Partition;
  readonly accountId: string;
  /** `/` or `/a/b/`. */
  readonly path: string;
  readonly name: string;
}

export interface RoleArnRules {
  /** The partitions this deployment may reach. */
  readonly allowedPartitions: readonly Partition[];
  /** Our own account: a customer role never lives there. */
  readonly trustedAccountId: string;
}

const ARN =
  /^arn:(?<partition>[a-z][a-z0-9-]*):(?<service>[a-z0-9-]+):(?<region>[^:]*):(?<account>[^:]*):(?<resource>.+)$/;
/** IAM paths are `/` or `/segment/…/` of printable ASCII; names are 1–64 of `[\w+=,.@-]`. */
const ROLE_RESOURCE = /^role(\/(?:[\x21-\x2e\x30-\x7e]+\/)*)([\w+=,.@-]{1,64})$/;
const MAX_PATH_LENGTH = 512;

function invalid(message: string, hint: string): AppError {
  return new AppError('INVALID_ROLE_ARN', message, { hint });
}

const ROLE_HINT = 'Give the ARN of an IAM role, like arn:<partition>:iam::<account-id>:role/<name>.';

/**
 * Parses a customer role ARN and refuses everything that is not a plain IAM role we may assume:
 * users, the root user, role sessions, service-linked roles, other partitions and our own account.
 */
export function parseRoleArn(text: string, rules: RoleArnRules): RoleArn {
  const arn = ARN.exec(text);
  if (!arn) throw invalid('This is not an ARN.', ROLE_HINT);
  const [, partition = '', service = '', region = '', account = '', resource = ''] = arn;
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    throw invalid(
      'This is the ARN of a role session, not of a role.',
      `Use the role's own ARN: arn:${partition}:iam::${account}:role/<name>.`,
    );
  }
  if (service !== 'iam') throw invalid(`This is an ARN of ${service}, not of IAM.`, ROLE_HINT);
  if (region !== '') throw invalid('IAM ARNs have no region.', ROLE_HINT);
  if (!/^\d{12}$/.test(account)) throw invalid('The account id must be 12 digits.', ROLE_HINT);
  if (resource === 'root') throw invalid('This is the account root user, not a role.', ROLE_HINT);
  if (resource.startsWith('user/')) {
    throw invalid(
      'This is an IAM user, not a role.',
      `Deploy our template and register the role it creates. ${ROLE_HINT}`,
    );
  }
  const role = ROLE_RESOURCE.exec(resource);
  if (!role) {
    throw invalid(
      resource.startsWith('role/') ? 'The role path or name is malformed.' : 'This ARN does not name a role.',
      'Role names are 1–64 characters of A-Z a-z 0-9 + = , . @ _ -, and paths look like /a/b/.',
    );
  }
  const [, path = '/', name = ''] = role;
  if (path.length > MAX_PATH_LENGTH) throw invalid('The role path is longer than 512 characters.', ROLE_HINT);
  if (path.startsWith('/aws-service-role/')) {
    throw invalid('This is a service-linked role, which only its AWS service may assume.', ROLE_HINT);
  }
  if (!isKnownPartition(partition) || !rules.allowedPartitions.includes(partition)) {
    throw new AppError('UNSUPPORTED_PARTITION', `The partition ${partition} is not supported here.`, {
      hint: `Register a role in ${rules.allowedPartitions.join(' or ')}.`,
    });
  }
  if (account === rules.trustedAccountId) {
    throw invalid('This role is in our own account.', 'Register a role in your own AWS account.');
  }
  return { arn: text, partition, accountId: account, path, name };
}

/** The ARN of a role with this name in another account of the same partition. */
export function roleArnOf(partition: Partition, accountId: string, name: string, path = '/'): string {
  return `arn:${partition}:iam::${accountId}:role${path}${name}`;
}

/**
 * IAM role names are unique per account without regard to case or path, so this is what
 * identifies "the same role" twice.
 */
export function roleIdentity(role: RoleArn): string {
  return `${role.partition}:${role.accountId}:${role.name.toLowerCase()}`;
}

function isKnownPartition(partition: string): partition is Partition {
  return (KNOWN_PARTITIONS as readonly string[]).includes(partition);
}
