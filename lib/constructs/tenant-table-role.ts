import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ArnPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EnvName } from '../../schemas/environment';
import { ITEM_KEYS } from '../../schemas/table';
import type { ServiceFunction } from './service-function';

/** The session tag the function sets to the tenant of the request, and the policy reads. */
const TENANT_TAG = 'tenant';

/** Actions that take no partition key, which `dynamodb:LeadingKeys` cannot confine. */
const UNCONFINED_ACTIONS = new Set(['Scan', 'PartiQLSelect', 'ExecuteStatement', 'BatchExecuteStatement']);

export interface TenantTableRoleProps {
  readonly table: ITableV2;
  /** Item actions on the table, without `dynamodb:`; each must name a partition key. */
  readonly actions: readonly string[];
  /**
   * Item reads and writes allowed only in one partition of the tenant (`partitionKey` of the
   * tenant), only on these attributes (`dynamodb:Attributes`, which must include the key's), and
   * returning no old values.
   * @default none
   */
  readonly confinedPartition?: {
    readonly actions: readonly string[];
    readonly attributes: readonly string[];
    readonly partitionKey: (tenant: string) => string;
  };
  /** The one function that assumes this role, once per tenant it serves. */
  readonly user: ServiceFunction;
}

/**
 * The table as one tenant sees it. The function keeps no table access of its own: for each
 * tenant it assumes this role with the session tag `tenant`, and the role's policy allows only
 * items whose partition key is `TENANT#<that tag>`. A key built for another tenant by mistake is
 * then refused by IAM, and no index (whose keys are not the tenant's) can be read.
 */
export class TenantTableRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TenantTableRoleProps) {
    super(scope, id);
    const confined = props.confinedPartition;
    if (props.actions.length === 0) throw new Error('TenantTableRole needs at least one action');
    for (const action of [...props.actions, ...(confined?.actions ?? [])]) {
      if (UNCONFINED_ACTIONS.has(action)) {
        throw new Error(`TenantTableRole cannot confine dynamodb:${action} to one tenant`);
      }
    }
    this.role = new Role(this, 'Role', {
      description: 'The table for one tenant at a time: only items under the tenant in its session tag',
      // An hour is the most a role assumed from a function's own role session may last.
      maxSessionDuration: Duration.hours(1),
      assumedBy: new ArnPrincipal(props.user.role.roleArn)
        .withConditions({
          Null: { [`aws:RequestTag/${TENANT_TAG}`]: 'false' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_TAG] },
        })
        .withSessionTags(),
    });
    // ForAllValues: every key a request names (all of a batch's or a transaction's items).
    const tenant = `\${aws:PrincipalTag/${TENANT_TAG}}`;
    const leadingKeys = { 'dynamodb:LeadingKeys': [ITEM_KEYS.tenant(tenant)] };
    const itemActions = (actions: readonly string[]) => actions.map((action) => `dynamodb:${action}`);
    this.role.addToPolicy(
      new PolicyStatement({
        actions: itemActions(props.actions),
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': leadingKeys },
      }),
    );
    if (confined) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: itemActions(confined.actions),
          resources: [props.table.tableArn],
          conditions: {
            'ForAllValues:StringEquals': {
              'dynamodb:LeadingKeys': [confined.partitionKey(tenant)],
              'dynamodb:Attributes': [...confined.attributes],
            },
            StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
          },
        }),
      );
    }
    props.user.role.addToPolicy(
      new PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [this.role.roleArn] }),
    );
    props.user.function.addEnvironment('TENANT_TABLE_ROLE_ARN' satisfies EnvName, this.role.roleArn);
  }
}
