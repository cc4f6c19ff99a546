import { type CfnElement, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { INGRESS_SOURCES } from '../../schemas/ingress';
import { GLOBAL_INDEXES, TABLE_KEYS } from '../../schemas/table';
import { acknowledgeNag, nagText } from '../constructs/nag';

/**
 * What must outlive any deployment: the table and the two buses. Construct ids here never change,
 * because a new id replaces the resource and loses its data.
 */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly connectionsBus: EventBus;
  readonly ingressBus: EventBus;
  /** Where the customer templates are published; quick-create links and StackSets read them. */
  readonly templatesBaseUrl: string;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TABLE_KEYS.timeToLive,
      // The outbox of connection-change events reads the table's stream.
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      globalSecondaryIndexes: Object.values(GLOBAL_INDEXES).map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      })),
    });

    this.connectionsBus = new EventBus(this, 'ConnectionsBus', {
      description: 'Connection-change events for the rest of the platform',
    });
    // Lets consumers replay what they missed.
    this.connectionsBus.archive('ConnectionsArchive', {
      description: 'Every connection-change event, for replay',
      eventPattern: { account: [this.account] },
      retention: Duration.days(365),
    });

    this.ingressBus = new EventBus(this, 'IngressBus', {
      description: "Organizations events forwarded from customers' management accounts",
    });
    // A statement per customer would outgrow the 10 KB policy limit, so any account may put
    // events, but only with these sources. The router then trusts an event only when its
    // `account` (set by EventBridge, not by the sender) is a registered management account.
    // `events:source` holds the source of every entry of a PutEvents (up to 10), so each must be
    // one of these (ForAllValues), and there must be one (Null): a set operator on a many-valued
    // key, as IAM wants it.
    this.ingressBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowForwardedOrganizationsEvents',
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.ingressBus.eventBusArn],
        conditions: {
          'ForAllValues:StringEquals': { 'events:source': [...INGRESS_SOURCES] },
          Null: { 'events:source': 'false' },
        },
      }),
    );

    this.templatesBaseUrl = this.publishTemplates();
  }

  /**
   * CloudFormation quick-create links need the template at an S3 URL the customer's console can
   * read, so the templates are public, read-only objects. They hold no customer values: those
   * travel in the links' parameters. The bucket is here because customers' links and StackSets
   * keep pointing at it.
   */
  private publishTemplates(): string {
    const prefix = 'templates/';
    const bucket = new Bucket(this, 'TemplatesBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      blockPublicAccess: new BlockPublicAccess({
        blockPublicAcls: true,
        ignorePublicAcls: true,
        blockPublicPolicy: false,
        restrictPublicBuckets: false,
      }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'PublicReadOfCustomerTemplates',
        principals: [new AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${prefix}*.yaml`)],
      }),
    );
    new BucketDeployment(this, 'TemplatesDeployment', {
      sources: [Source.asset('templates')],
      destinationBucket: bucket,
      destinationKeyPrefix: prefix,
      contentType: 'application/yaml',
    });
    acknowledgeNag(
      bucket,
      'S1',
      'Public, static CloudFormation templates: there is nothing private to audit.',
    );
    acknowledgeNag(
      bucket,
      'S2',
      "Quick-create links need templates the customer's CloudFormation console can read.",
    );

    // CDK runs every BucketDeployment of a stack through one handler function, a sibling of ours.
    const handler = this.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) throw new Error('BucketDeployment created no handler');
    const why =
      "CDK's BucketDeployment handler copies the templates from the CDK asset bucket into this bucket";
    acknowledgeNag(
      handler,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${why}, logging with the basic execution role.`,
    );
    acknowledgeNag(handler, 'L1', `${why}; CDK chooses its runtime.`);
    const assetBucket = `arn:${nagText(this.partition, 'AWS::Partition')}:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${nagText(this.region, 'AWS::Region')}/*`;
    for (const evidence of [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      `Resource::${assetBucket}`,
      `Resource::<${this.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/*`,
    ]) {
      acknowledgeNag(
        handler,
        `IAM5[${evidence}]`,
        `${why}, with CDK's own wildcard actions on these two buckets only.`,
      );
    }
    return `https://${bucket.bucketRegionalDomainName}/${prefix}`;
  }
}
