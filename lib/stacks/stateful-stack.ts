import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
import type { Construct } from 'constructs';
import { GLOBAL_INDEXES, TABLE_KEYS } from '../../schemas/table';

/** The sources the ingress bus accepts from customers' forwarder rules (DESIGN §4). */
export const INGRESS_EVENT_SOURCES = ['aws.organizations', 'aws.account', 'aws.controltower'] as const;

/**
 * What must outlive any deployment: the table and the two buses. Construct ids here never change,
 * because a new id replaces the resource and loses its data.
 */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly connectionsBus: EventBus;
  readonly ingressBus: EventBus;

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
    this.ingressBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowForwardedOrganizationsEvents',
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.ingressBus.eventBusArn],
        conditions: { StringEquals: { 'events:source': [...INGRESS_EVENT_SOURCES] } },
      }),
    );
  }
}
