import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { API_ROUTES } from '../../../lambdas/routes';
import { syncWorkflowDefinition } from '../../../lambdas/sync/workflow';
import { buildApp } from '../../../lib/app';
import { CONFIG_CONTEXT_KEY } from '../../../lib/config';
import { ServiceFunction } from '../../../lib/constructs/service-function';
import { TenantTableRole } from '../../../lib/constructs/tenant-table-role';
import { ENVIRONMENT, type EnvName } from '../../../schemas/environment';
import { DETAIL_TYPES } from '../../../schemas/events';
import { ingressEventPatterns } from '../../../schemas/ingress';
import { GLOBAL_INDEXES } from '../../../schemas/table';

/** An app whose assets are not bundled: these tests look at the templates only. */
function synthApp(config: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], [CONFIG_CONTEXT_KEY]: config } });
  return buildApp(app);
}

const built = synthApp();
const stateful = Template.fromStack(built.stateful);
const stateless = Template.fromStack(built.stateless);

describe('stateful stack', () => {
  it('keys the table by pk/sk with the routing and schedule indexes', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: Object.values(GLOBAL_INDEXES).map((index) =>
        Match.objectLike({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }),
      ),
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('protects the table: point-in-time recovery, encryption, deletion protection, retained', () => {
    stateful.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        SSESpecification: { SSEEnabled: true },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it('lets any account put events on the ingress bus only when every entry has an Organizations source', () => {
    stateful.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: {
          'ForAllValues:StringEquals': {
            'events:source': ['aws.organizations', 'aws.account', 'aws.controltower'],
          },
          Null: { 'events:source': 'false' },
        },
      },
    });
    stateful.resourceCountIs('AWS::Events::EventBusPolicy', 1);
  });

  it('publishes the customer templates read-only, and nothing else of the bucket', () => {
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:GetObject',
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, '/templates/*.yaml']],
            },
          }),
        ]),
      },
    });
    stateful.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketKeyPrefix: 'templates/',
    });
  });

  it('archives the connections bus for replay', () => {
    stateful.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 365 });
  });
});

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** Every statement of the inline policies of one function's role. */
function statementsOf(functionId: string): Statement[] {
  const policies = stateless.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${functionId}Role`) }] },
  });
  return Object.values(policies).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );
}

/** CDK's own BucketDeployment function, which copies the console into its bucket, is not one of ours. */
function ours<T>(resources: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(resources).filter(([logicalId]) => !logicalId.startsWith('CustomCDKBucketDeployment')),
  );
}

describe('stateless stack', () => {
  it('gives functions only variables of the one environment list, each valid as a handler reads it', () => {
    const runtime = new Set([
      'NODE_OPTIONS',
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_TRACE_ENABLED',
    ]);
    const functions = Object.values(ours(stateless.findResources('AWS::Lambda::Function')));
    const names = functions.flatMap((fn) => Object.keys(fn.Properties?.Environment?.Variables ?? {}));

    expect(names).toEqual(expect.arrayContaining(['TABLE_NAME', 'STATE_MACHINE_ARN', 'CLAIM_TENANT']));
    for (const name of names) expect(Object.hasOwn(ENVIRONMENT, name) || runtime.has(name)).toBe(true);
    for (const fn of functions) {
      const variables: Record<string, unknown> = fn.Properties?.Environment?.Variables ?? {};
      // Tokens (Ref, Fn::GetAtt) resolve at deploy time; literal values must parse already.
      const literal = Object.entries(variables).filter(
        (entry): entry is [EnvName, string] =>
          typeof entry[1] === 'string' && Object.hasOwn(ENVIRONMENT, entry[0]),
      );
      for (const [name, value] of literal) expect(ENVIRONMENT[name]().safeParse(value).success).toBe(true);
    }
  });

  it('runs every function on Node.js 22, arm64, with tracing, JSON logs and the Powertools environment', () => {
    const functions = ours(stateless.findResources('AWS::Lambda::Function'));
    expect(Object.keys(functions).length).toBeGreaterThan(0);
    for (const fn of Object.values(functions)) {
      // Source maps at run time cost every cold start the map's parse.
      expect(fn.Properties?.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: 'aws-org-connections',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_TRACE_ENABLED: 'false',
          }),
        },
      });
    }
  });

  it('traces every AWS call of every function when the deployment asks for it', () => {
    const traced = Template.fromStack(synthApp({ traceAwsCalls: true }).stateless);

    const functions = Object.values(ours(traced.findResources('AWS::Lambda::Function')));

    expect(functions.length).toBeGreaterThan(5);
    for (const fn of functions) {
      expect(fn.Properties?.Environment?.Variables?.POWERTOOLS_TRACE_ENABLED).toBe('true');
    }
  });

  it('reserves concurrency for the authorizer and each API function, and caps the router and the sync workers', () => {
    const concurrencyOf = (id: RegExp) => {
      const found = Object.entries(ours(stateless.findResources('AWS::Lambda::Function'))).filter(
        ([logicalId]) => id.test(logicalId),
      );
      expect(found.length).toBeGreaterThan(0);
      return found.map(([, fn]) => fn.Properties.ReservedConcurrentExecutions);
    };

    expect(concurrencyOf(/^AuthAuthorizerFunction/)).toEqual([20]);
    for (const name of ['AwsEnv', 'Onboarding', 'Integrations', 'Workspaces', 'Openapi']) {
      expect(concurrencyOf(new RegExp(`^${name}Function`))).toEqual([10]);
    }
    expect(concurrencyOf(/^IngressRouterFunction/)).toEqual([10]);
    expect(concurrencyOf(/^SyncWorkflowFunction[0-9A-F]{8}$/)).toEqual([100]);
    const configured = Template.fromStack(
      synthApp({ concurrency: { authorizer: 5, api: 3, router: 2, syncWorkers: 7 } }).stateless,
    );
    configured.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Sync: the sync workflow'),
      ReservedConcurrentExecutions: 7,
    });
  });

  it('tells the integrations function the fair-use limits it is configured with', () => {
    const configured = Template.fromStack(
      synthApp({ fairUse: { roleTestsPerMinute: 12, syncsPerMinute: 6, maxIntegrationsPerTenant: 40 } })
        .stateless,
    );
    configured.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Integrations:'),
      Environment: {
        Variables: Match.objectLike({
          FAIR_USE_ROLE_TESTS_PER_MINUTE: '12',
          FAIR_USE_SYNCS_PER_MINUTE: '6',
          MAX_INTEGRATIONS_PER_TENANT: '40',
        }),
      },
    });
  });

  it('gives function roles no managed policies', () => {
    const roles = ours(
      stateless.findResources('AWS::IAM::Role', {
        Properties: {
          AssumeRolePolicyDocument: Match.objectLike({
            Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
          }),
        },
      }),
    );
    expect(Object.keys(roles).length).toBeGreaterThan(0);
    for (const role of Object.values(roles)) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('lets the env check function write its logs and traces, and nothing else', () => {
    const actions = statementsOf('AwsEnv').flatMap((statement) => statement.Action);

    expect(new Set(actions)).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
      ]),
    );
  });

  it('lets the integrations function assume customer roles in any account but ours, without an External ID condition', () => {
    const assume = statementsOf('Integrations').find((statement) => statement.Action === 'sts:AssumeRole');

    // The refusal probes call AssumeRole without an External ID: our own policy must not refuse them.
    expect(assume).toEqual(
      expect.objectContaining({
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/*']] },
        Condition: { StringNotEquals: { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
  });

  it('gives the table functions item-level actions only: no scans, and deletes only to the sync and the claim moves of a PATCH', () => {
    const tableActions = [
      'OnboardingTenantTable',
      'IntegrationsTenantTable',
      'WorkspacesTenantTable',
      'CredentialsBrokerTenantTable',
      'SyncWorkflowFunction',
      'OutboxPublisher',
      'ShareProjector',
      'IngressRouter',
      'ScheduleFanOut',
    ].map((id) =>
      statementsOf(id)
        .flatMap((statement) => statement.Action)
        .filter((action) => action.startsWith('dynamodb:'))
        .sort(),
    );

    expect(tableActions).toEqual([
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      // BatchGetItem: the connections' health beside a page of the tree.
      [
        'dynamodb:BatchGetItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      // The workspaces' list reads the read model only.
      ['dynamodb:Query'],
      // The broker reads a connection, and reads and keeps the tenant's STS budget in its own partition.
      ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
      // Batches: the member roles' health records.
      [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
      // The publisher only reads the stream.
      ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
      // The share projector reads the stream and an integration's scope, and writes shares.
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:DescribeStream',
        'dynamodb:GetItem',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ],
      // The router and the fan-out query their own index only (checked below).
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    ]);
    const queried = (id: string) =>
      statementsOf(id)
        .filter((statement) => [statement.Action].flat().includes('dynamodb:Query'))
        .map((statement) => JSON.stringify(statement.Resource));
    expect(queried('IngressRouter')).toEqual([
      expect.stringContaining(`/index/${GLOBAL_INDEXES.byManagementAccount.indexName}"`),
    ]);
    expect(queried('ScheduleFanOut')).toEqual([
      expect.stringContaining(`/index/${GLOBAL_INDEXES.bySchedule.indexName}"`),
    ]);
  });

  it('lets the API functions and the broker reach the table only as the tenant of the request, through a role of their own', () => {
    for (const id of ['Onboarding', 'Integrations', 'Workspaces', 'CredentialsBroker']) {
      const tenantRole = Object.keys(
        stateless.findResources('AWS::IAM::Role', { Properties: { Description: Match.anyValue() } }),
      ).find((logicalId) => logicalId.startsWith(`${id}TenantTableRole`));
      const roleArn = { 'Fn::GetAtt': [tenantRole, 'Arn'] };

      // No item access of its own: only assuming its tenant table role, tagged.
      const own = statementsOf(id);
      expect(
        own.flatMap((statement) => statement.Action).filter((action) => action.startsWith('dynamodb:')),
      ).toEqual([]);
      expect(own).toContainEqual(
        expect.objectContaining({ Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: roleArn }),
      );
      stateless.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${id}Role`), 'Arn'] },
        Environment: { Variables: Match.objectLike({ TENANT_TABLE_ROLE_ARN: roleArn }) },
      });

      // Only that function may assume it, and only with the tenant tag.
      stateless.hasResourceProperties('AWS::IAM::Role', {
        Description: Match.stringLikeRegexp('one tenant'),
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['sts:AssumeRole', 'sts:TagSession'],
              Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${id}Role`), 'Arn'] } },
              Condition: {
                Null: { 'aws:RequestTag/tenant': 'false' },
                'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant'] },
              },
            },
          ],
          Version: '2012-10-17',
        },
      });

      // Every statement is confined to the tenant's partition (or the broker's budget partition,
      // led by the tenant), on the table itself, never an index.
      const confined = statementsOf(`${id}TenantTable`);
      expect(confined.length).toBeGreaterThan(0);
      for (const statement of confined) {
        expect(statement.Condition).toMatchObject({
          'ForAllValues:StringEquals': {
            'dynamodb:LeadingKeys': [
              expect.stringMatching(/^TENANT#\$\{aws:PrincipalTag\/tenant\}(#STS_BUDGET)?$/),
            ],
          },
        });
        expect(JSON.stringify(statement.Resource)).toMatch(
          /^\{"Fn::ImportValue":"OrgConnections-Stateful:ExportsOutputFnGetAttTable\w+Arn\w*"\}$/,
        );
      }
    }
  });

  it('refuses to confine an action that names no partition key', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Probe');
    const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const user = new ServiceFunction(stack, 'Fn', {
      entry: 'lambdas/functions/workspaces.ts',
      description: 'probe',
      logRetention: RetentionDays.ONE_DAY,
      alarmTopic: new Topic(stack, 'Topic'),
    });

    expect(() => new TenantTableRole(stack, 'Scans', { table, actions: ['Query', 'Scan'], user })).toThrow(
      /cannot confine dynamodb:Scan/,
    );
  });

  it("lets no function write anywhere but the table, the connections bus, the sync workflow, its own dead-letter queue and (the authorizer) the API's usage keys", () => {
    const functionRoles = new Set(
      Object.keys(
        ours(
          stateless.findResources('AWS::IAM::Role', {
            Properties: {
              AssumeRolePolicyDocument: Match.objectLike({
                Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
              }),
            },
          }),
        ),
      ),
    );
    const policies = Object.fromEntries(
      Object.entries(stateless.findResources('AWS::IAM::Policy')).filter(([, { Properties }]) =>
        (Properties.Roles as { Ref: string }[]).some((role) => functionRoles.has(role.Ref)),
      ),
    );
    const readOnly =
      /^(dynamodb:(Get|Query|BatchGet|ConditionCheck|Describe|List)|states:List|sqs:GetQueue|logs:|xray:|apigateway:GET$|sts:(AssumeRole|TagSession|SetSourceIdentity)$)/;
    const queues = Object.keys(stateless.findResources('AWS::SQS::Queue'));
    const owned = (resource: unknown) => {
      const text = JSON.stringify(resource);
      return (
        /^\{"Fn::ImportValue":"OrgConnections-Stateful:ExportsOutputFnGetAtt(Table|ConnectionsBus)\w+Arn\w*"\}$/.test(
          text,
        ) ||
        queues.some((queue) => text === JSON.stringify({ 'Fn::GetAtt': [queue, 'Arn'] })) ||
        /:apigateway:",\{"Ref":"AWS::Region"\},"::\/(apikeys|usageplans\/\*\/keys)"\]\]\}$/.test(text) ||
        text.endsWith(':stateMachine:OrgConnections-Stateless-sync"]]}')
      );
    };
    const writes = Object.entries(policies).flatMap(([policy, { Properties }]) =>
      (Properties.PolicyDocument.Statement as Statement[]).flatMap((statement) =>
        [statement.Action]
          .flat()
          .filter((action) => !readOnly.test(action))
          .flatMap((action) => [statement.Resource].flat().map((resource) => ({ policy, action, resource }))),
      ),
    );

    expect(writes.length).toBeGreaterThan(10);
    expect(writes.filter(({ resource }) => !owned(resource))).toEqual([]);
  });

  it('lets only the role test, the sync and the broker assume customer roles, and only the API, router and schedule start syncs', () => {
    const anywhere = () => true;
    // Customer roles are named by a wildcard account; the API's tenant table roles are ours.
    const customerRoles = (statement: Statement) =>
      JSON.stringify(statement.Resource).includes(':iam::*:role/');
    const holders = (action: string, on: (statement: Statement) => boolean = anywhere) =>
      [
        'AwsEnv',
        'Onboarding',
        'Integrations',
        'Workspaces',
        'Openapi',
        'SyncWorkflowFunction',
        'OutboxPublisher',
        'ShareProjector',
        'IngressRouter',
        'ScheduleFanOut',
        'CredentialsBroker',
      ].filter((id) =>
        statementsOf(id).some((statement) => [statement.Action].flat().includes(action) && on(statement)),
      );

    expect(holders('sts:AssumeRole', customerRoles)).toEqual([
      'Integrations',
      'SyncWorkflowFunction',
      'CredentialsBroker',
    ]);
    expect(holders('sts:TagSession', customerRoles)).toEqual(['CredentialsBroker']);
    expect(holders('states:StartExecution')).toEqual(['Integrations', 'IngressRouter', 'ScheduleFanOut']);
    expect(holders('states:ListExecutions')).toEqual(['ScheduleFanOut']);
    expect(holders('events:PutEvents')).toEqual(['OutboxPublisher']);
  });

  it('runs the sync workflow from the shared definition: retries interruptions, never AccessDenied', () => {
    const machines = Object.values(stateless.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(1);
    const joined = machines[0]?.Properties.DefinitionString['Fn::Join'][1] as unknown[];
    const definition = JSON.parse(
      joined.map((part) => (typeof part === 'string' ? part : 'FUNCTION')).join(''),
    ) as ReturnType<typeof syncWorkflowDefinition>;
    const step = definition.States['Sync step'] as { Retry: { ErrorEquals: string[] }[] };
    const retried = step.Retry.flatMap((retry) => retry.ErrorEquals);

    expect(Object.keys(definition.States)).toEqual(Object.keys(syncWorkflowDefinition().States));
    expect(retried).toEqual(expect.arrayContaining(['UPSTREAM_THROTTLED', 'Lambda.ServiceException']));
    expect(retried).not.toContain('MISSING_PERMISSIONS');
    expect(retried).not.toContain('States.ALL');
  });

  it('feeds only outbox inserts to the publisher, with a dead-letter queue', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { Keys: { sk: { S: [{ prefix: 'OUTBOX#' }] } } },
            }),
          },
        ],
      },
    });
  });

  it('feeds only mirror items to the share projector, with a dead-letter queue and its alarm', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: [{ prefix: 'MIRROR#' }] } } } }) },
        ],
      },
    });
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('Shares with workspaces could not be recorded'),
    });
  });

  it('routes exactly what the router acts on from the ingress bus, with a dead-letter queue and its alarm', () => {
    const rules = Object.values(stateless.findResources('AWS::Events::Rule'));
    const ingress = rules.filter((rule) =>
      JSON.stringify(rule.Properties.EventBusName ?? '').includes('IngressBus'),
    );

    const { organizations, regionOptIn } = ingressEventPatterns();
    expect(ingress.map((rule) => rule.Properties.EventPattern)).toEqual([organizations, regionOptIn]);
    for (const rule of ingress) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          DeadLetterConfig: { Arn: expect.anything() },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        }),
      ]);
    }
    stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('Organizations events were not routed'),
      Threshold: 0,
    });
  });

  it('ticks the schedule fan-out every minute with the interval and cap from the config, and alarms when it falls behind', () => {
    const app = synthApp({ syncIntervalHours: 4, maxConcurrentSyncs: 250 });
    const template = Template.fromStack(app.stateless);
    const [rule, ...others] = Object.values(template.findResources('AWS::Events::Rule')).filter(
      (found) => found.Properties.ScheduleExpression !== undefined,
    );

    expect(others).toHaveLength(0);
    expect(rule?.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule?.Properties.EventBusName).toBeUndefined();
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ScheduleFanOut/), 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Schedule:'),
      Timeout: 55,
      Environment: {
        Variables: Match.objectLike({ SYNC_INTERVAL_SECONDS: String(4 * 3600), MAX_CONCURRENT_SYNCS: '250' }),
      },
    });
    // The integrations function puts new integrations on the same schedule.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Integrations:'),
      Environment: { Variables: Match.objectLike({ SYNC_INTERVAL_SECONDS: String(4 * 3600) }) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AwsOrgConnections',
      MetricName: 'ScheduleBehind',
      Dimensions: [{ Name: 'service', Value: 'schedule' }],
      EvaluationPeriods: 6,
    });
  });

  it('registers the JSON Schema of every connection-change event', () => {
    const schemas = Object.values(stateless.findResources('AWS::EventSchemas::Schema'));

    expect(schemas).toHaveLength(DETAIL_TYPES.length);
    for (const schema of schemas) {
      expect(schema.Properties.Type).toBe('JSONSchemaDraft4');
      expect(JSON.parse(schema.Properties.Content)).toMatchObject({ type: 'object' });
    }
  });

  it('tells the onboarding function where the templates are published and which bus the forwarder targets', () => {
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TEMPLATES_DIR: '/var/task/templates',
          TEMPLATES_BASE_URL: Match.anyValue(),
          INGRESS_BUS_ARN: Match.anyValue(),
        }),
      },
    });
  });

  it('publishes the roles that assume customer roles, for the onboarding answer and as an output', () => {
    const roleArn = (prefix: string) => ({
      'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}\\w*Role`), 'Arn'],
    });
    const principals = {
      'Fn::Join': [',', [roleArn('Integrations'), roleArn('Sync'), roleArn('CredentialsBroker')]],
    };

    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Onboarding'),
      Environment: { Variables: Match.objectLike({ PLATFORM_PRINCIPAL_ARNS: principals }) },
    });
    stateless.hasOutput('PlatformPrincipalArns', { Value: principals });
  });

  it('passes the trusted account and partition to the env check', () => {
    const app = synthApp({ trustedAccountId: '210987654321' });

    Template.fromStack(app.stateless).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Env check'),
      Environment: {
        Variables: Match.objectLike({
          TRUSTED_ACCOUNT_ID: '210987654321',
          PARTITION: { Ref: 'AWS::Partition' },
        }),
      },
    });
  });

  it("counts every tenant's requests under the tenant's own key, in a usage plan of the configured tier", () => {
    const app = synthApp({ fairUse: { requestsPerSecond: 40, requestBurst: 80 } });
    const template = Template.fromStack(app.stateless);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (method) => method.Properties.HttpMethod !== 'OPTIONS',
    );

    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'OrgConnections-Stateless-default-tier',
      Throttle: { RateLimit: 40, BurstLimit: 80 },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
    for (const method of methods) {
      expect(method.Properties.ApiKeyRequired ?? false).toBe(
        method.Properties.AuthorizationType === 'CUSTOM',
      );
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Verifies bearer JWTs'),
      Environment: {
        Variables: Match.objectLike({ USAGE_PLAN_NAME: 'OrgConnections-Stateless-default-tier' }),
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      StatusCode: '429',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': "'1'" }),
    });
  });

  it('puts the JWT authorizer on every route but the public API description', () => {
    const methods = stateless.findResources('AWS::ApiGateway::Method');
    const routed = Object.values(methods).filter((method) => method.Properties.HttpMethod !== 'OPTIONS');
    expect(routed).toHaveLength(API_ROUTES.length);
    const open = routed.filter((method) => method.Properties.AuthorizationType === 'NONE');
    expect(open).toHaveLength(1);
    expect(JSON.stringify(open[0]?.Properties.ResourceId)).toContain('openapijson');
    for (const method of routed.filter((candidate) => !open.includes(candidate))) {
      expect(method.Properties.AuthorizationType).toBe('CUSTOM');
      expect(method.Properties.AuthorizerId).toEqual({ Ref: expect.stringMatching(/TokenAuthorizer/) });
    }
    stateless.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  it('answers gateway refusals with the error envelope', () => {
    stateless.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"UNAUTHENTICATED"') },
    });
    stateless.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
    });
  });

  it('logs API access and traces the stage', () => {
    stateless.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [Match.objectLike({ LoggingLevel: 'INFO', DataTraceEnabled: false })],
    });
  });

  it('alarms on the errors of every function whose errors are failures, and on API 5xx', () => {
    const functions = Object.keys(ours(stateless.findResources('AWS::Lambda::Function')));
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm'));
    const errorAlarmed = alarms
      .filter((alarm) => alarm.Properties.MetricName === 'Errors')
      .map((alarm) => alarm.Properties.Dimensions[0].Value.Ref);
    // Their errors are how they work: a refused token (401), a retried step, a retried batch or event.
    const expected = [
      'AuthAuthorizer',
      'SyncWorkflowFunction',
      'OutboxPublisher',
      'ShareProjector',
      'IngressRouter',
    ];

    expect(new Set(errorAlarmed)).toEqual(
      new Set(functions.filter((id) => !expected.some((name) => id.startsWith(name)))),
    );
    expect(errorAlarmed).toHaveLength(functions.length - expected.length);
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError' });
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  it('alarms on what means trouble instead: stuck streams, failed or timed-out executions, runs failed on our errors', () => {
    for (const reader of ['OutboxPublisher', 'ShareProjector']) {
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'IteratorAge',
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp(`^${reader}Function`) } }],
        Threshold: 600_000,
        EvaluationPeriods: 3,
      });
    }
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: Match.stringLikeRegexp('^SyncWorkflow') } }],
        Threshold: 1,
      });
    }
    // A customer's refused role fails its run normally: only an internal error alarms.
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AwsOrgConnections',
      MetricName: 'SyncRunsFailed',
      Dimensions: Match.arrayEquals([
        { Name: 'code', Value: 'INTERNAL_ERROR' },
        { Name: 'service', Value: 'sync' },
      ]),
    });
    const deadLetterAlarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(deadLetterAlarms).toHaveLength(Object.keys(stateless.findResources('AWS::SQS::Queue')).length);
  });

  it("shows every alarm and the service's metrics on one dashboard", () => {
    const dashboards = Object.values(stateless.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const alarm of Object.keys(stateless.findResources('AWS::CloudWatch::Alarm'))) {
      expect(body).toContain(`"${alarm}","Arn"`);
    }
    for (const metric of [
      'IteratorAge',
      'ExecutionsFailed',
      'SyncRunsFailed',
      'SyncDuration',
      'SyncOrganizationsCalls',
      'SyncOrganizationsThrottles',
      'SyncChanges',
      'MemberRoles',
      'RoleTests',
      'publisher',
      '5XXError',
      'CredentialsIssued',
    ]) {
      expect(body).toContain(metric);
    }
  });

  it('verifies Cognito ID tokens by default, with an app client that cannot write custom attributes', () => {
    stateless.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
    });
    const [client] = Object.values(stateless.findResources('AWS::Cognito::UserPoolClient'));
    expect(client?.Properties.WriteAttributes).not.toContainEqual(expect.stringMatching(/^custom:/));
    // SRP for browsers, the admin flow (AWS credentials needed) for operators; never a plain password.
    expect(new Set(client?.Properties.ExplicitAuthFlows)).toEqual(
      new Set(['ALLOW_USER_SRP_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
    );
    stateless.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'tenant_owner' });
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CLAIM_TENANT: 'custom:tenant_id',
          CLAIM_ROLES: 'cognito:groups',
          AUTH_AUDIENCE: { Ref: Match.stringLikeRegexp('WebClient') },
        }),
      },
    });
  });

  it('refuses to synthesize issuer mode without an audience', () => {
    expect(() => synthApp({ auth: { mode: 'issuer', issuer: 'https://login.example.com/' } })).toThrow(
      /audience/,
    );
  });

  it('verifies tokens of an external issuer with the configured claim names', () => {
    const app = synthApp({
      auth: {
        mode: 'issuer',
        issuer: 'https://login.example.com/',
        audience: 'api',
        claims: { tenant: 'tid', orgIds: 'orgs', roles: 'perms' },
      },
    });
    const template = Template.fromStack(app.stateless);

    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          AUTH_ISSUER: 'https://login.example.com/',
          AUTH_JWKS_URI: 'https://login.example.com/.well-known/jwks.json',
          AUTH_AUDIENCE: 'api',
          CLAIM_TENANT: 'tid',
        }),
      },
    });
  });
});

describe('console', () => {
  const headers = () => Object.values(stateless.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0];

  it('serves the console from a private bucket through CloudFront, with the API on the same origin', () => {
    stateless.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    stateless.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    stateless.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [
          Match.objectLike({
            PathPattern: '/v1/*',
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: Match.arrayWith(['PATCH', 'POST', 'DELETE']),
          }),
        ],
        Origins: Match.arrayWith([Match.objectLike({ OriginPath: '/live' })]),
      }),
    });
  });

  it('allows the page only itself and the sign-in domain, never in a frame, with HSTS and no referrer', () => {
    const policy = headers()?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(policy.ContentSecurityPolicy.ContentSecurityPolicy);

    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self' https:\/\/.*\.auth\./);
    expect(csp).not.toContain('*');
    expect(policy.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 31_536_000,
      Override: true,
    });
    expect(policy.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(policy.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
  });

  it("signs in with Cognito's hosted UI: the code flow back to the distribution", () => {
    stateless.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    stateless.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [
        {
          'Fn::Join': [
            '',
            [
              'https://',
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsoleDistribution'), 'DomainName'] },
              '/',
            ],
          ],
        },
      ],
      GenerateSecret: false,
    });
    stateless.hasOutput('ConsoleUrl', {});
  });

  it('is off with an external issuer until its sign-in is named', () => {
    const issuer = { mode: 'issuer', issuer: 'https://idp.example.com', audience: 'org-connections' };
    const off = Template.fromStack(synthApp({ auth: issuer }).stateless);
    const on = Template.fromStack(
      synthApp({
        auth: issuer,
        console: {
          signIn: {
            authorizeUrl: 'https://idp.example.com/authorize',
            tokenUrl: 'https://idp.example.com/token',
            clientId: 'console',
          },
        },
      }).stateless,
    );

    off.resourceCountIs('AWS::CloudFront::Distribution', 0);
    on.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const csp = JSON.stringify(Object.values(on.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]);
    expect(csp).toContain("connect-src 'self' https://idp.example.com");
    expect(() => synthApp({ auth: issuer, console: { enabled: true } })).toThrow(/console.signIn/);
  });
});

describe('credentials broker', () => {
  const consumers = [
    { name: 'query-worker', principalArn: 'arn:aws:iam::111122223333:role/query-worker' },
    { name: 'scanner', principalArn: 'arn:aws:iam::444455556666:role/scanner', access: ['read', 'write'] },
  ];
  const brokerAssertions = {
    issuer: 'https://id.platform.example',
    jwksUri: 'https://id.platform.example/.well-known/jwks.json',
    audience: 'org-connections-broker',
  };
  const withConsumers = Template.fromStack(
    synthApp({ credentialConsumers: consumers, brokerAssertions }).stateless,
  );
  const brokerStatements = () => {
    const policies = withConsumers.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CredentialsBrokerRole') }] },
    });
    return Object.values(policies).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
  };
  const notOurAccount = { 'aws:ResourceAccount': { Ref: 'AWS::AccountId' } };

  it('lets each configured principal invoke only its own alias, and nobody the function itself', () => {
    const permissions = Object.values(withConsumers.findResources('AWS::Lambda::Permission')).map(
      (permission) => permission.Properties as { Principal: string; Action: string; FunctionName: unknown },
    );
    const aliases = withConsumers.findResources('AWS::Lambda::Alias');
    const aliasOf = (name: string) =>
      Object.entries(aliases).find(([, alias]) => alias.Properties.Name === name)?.[0];
    const brokerIds = [...Object.keys(aliases), 'CredentialsBroker'];
    const invokers = permissions.filter((permission) =>
      brokerIds.some((id) => JSON.stringify(permission.FunctionName).includes(id)),
    );

    expect(
      Object.values(aliases)
        .map((alias) => alias.Properties.Name)
        .sort(),
    ).toEqual(['query-worker', 'scanner']);
    expect(invokers).toEqual(
      consumers.map((consumer) => ({
        Action: 'lambda:InvokeFunction',
        Principal: consumer.principalArn,
        FunctionName: { Ref: aliasOf(consumer.name) },
      })),
    );
  });

  it('tells the function which aliases are consumers, what each may ask for, and who signs assertions; and exports its ARN', () => {
    withConsumers.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CONSUMER_IDENTITY: 'alias',
          CREDENTIAL_CONSUMERS: JSON.stringify([
            { name: 'query-worker', access: ['read'], assertion: 'required' },
            { name: 'scanner', access: ['read', 'write'], assertion: 'required' },
          ]),
          BROKER_ASSERTION_ISSUER: brokerAssertions.issuer,
          BROKER_ASSERTION_JWKS_URI: brokerAssertions.jwksUri,
          BROKER_ASSERTION_AUDIENCE: brokerAssertions.audience,
        }),
      },
    });
    withConsumers.hasOutput('CredentialsBrokerArn', {
      Export: { Name: 'OrgConnections-Stateless-CredentialsBrokerArn' },
    });
  });

  it('assumes customer roles in any account but ours, tagging sessions with its three keys and naming only configured consumers', () => {
    const customerRoles = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/*']] };

    expect(brokerStatements()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'sts:AssumeRole',
          Resource: customerRoles,
          Condition: { StringNotEquals: notOurAccount },
        }),
        expect.objectContaining({
          Action: 'sts:TagSession',
          Resource: customerRoles,
          Condition: {
            StringNotEquals: notOurAccount,
            'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant', 'workspace', 'consumer'] },
          },
        }),
        expect.objectContaining({
          Action: 'sts:SetSourceIdentity',
          Resource: customerRoles,
          Condition: {
            StringNotEquals: notOurAccount,
            StringEquals: { 'sts:SourceIdentity': ['query-worker', 'scanner'] },
          },
        }),
      ]),
    );
  });

  it("reads and writes in its own right only its STS budget attribute, of the budget item's own partition", () => {
    const policies = withConsumers.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CredentialsBrokerTenantTableRole') }] },
    });
    const updates = Object.values(policies)
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => [statement.Action].flat().includes('dynamodb:UpdateItem'));

    expect(updates).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Condition: {
          'ForAllValues:StringEquals': {
            'dynamodb:LeadingKeys': [`TENANT#\${aws:PrincipalTag/tenant}#STS_BUDGET`],
            'dynamodb:Attributes': ['pk', 'sk', 'stsBudgetAt'],
          },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' },
        },
      }),
    ]);
    expect(brokerStatements().flatMap((statement) => statement.Action)).not.toContainEqual(
      expect.stringMatching(/^dynamodb:/),
    );
  });

  it('passes the AWS Solutions checks with consumers configured', () => {
    expect(() => synthApp({ credentialConsumers: consumers, brokerAssertions }).app.synth()).not.toThrow();
  });

  it('fails synth when a consumer needs assertions and nobody is named to sign them', () => {
    expect(() => synthApp({ credentialConsumers: consumers })).toThrow(/orgConnections\.brokerAssertions/);
  });

  it('fails synth on an assertion key set that is not https', () => {
    expect(() =>
      synthApp({
        credentialConsumers: consumers,
        brokerAssertions: { ...brokerAssertions, jwksUri: 'http://id.platform.example/jwks.json' },
      }),
    ).toThrow(/brokerAssertions\.jwksUri: must be an https URL/);
    expect(() =>
      synthApp({
        credentialConsumers: consumers,
        brokerAssertions: { ...brokerAssertions, issuer: 'http://id.platform.example' },
      }),
    ).toThrow(/brokerAssertions\.issuer: must be an https URL/);
  });

  it('fails synth on a consumer whose principal is an account root, not a role', () => {
    expect(() =>
      synthApp({
        credentialConsumers: [{ name: 'query-worker', principalArn: 'arn:aws:iam::111122223333:root' }],
        brokerAssertions,
      }),
    ).toThrow(/credentialConsumers\.0\.principalArn: must be a role's ARN, not an account root/);
  });

  it('fails synth on an access level list other than read, or read and write', () => {
    expect(() =>
      synthApp({
        credentialConsumers: [{ ...consumers[0], access: ['write'] }],
        brokerAssertions,
      }),
    ).toThrow(/credentialConsumers\.0\.access/);
  });

  it('takes a consumer without assertions only with a reason, and warns of it at synth', () => {
    const legacy = {
      name: 'legacy-job',
      principalArn: 'arn:aws:iam::111122223333:role/legacy',
      assertion: 'not-required',
    };

    expect(() => synthApp({ credentialConsumers: [legacy] })).toThrow(/credentialConsumers\.0\.reason/);
    const { stateless } = synthApp({
      credentialConsumers: [{ ...legacy, reason: 'the nightly job predates assertions; until 2027-03' }],
    });
    const warnings = Annotations.fromStack(stateless).findWarning('*', Match.stringLikeRegexp('legacy-job'));
    expect(warnings.map((warning) => warning.entry.data)).toEqual([
      expect.stringContaining('the nightly job predates assertions'),
    ]);
  });

  it('refuses a consumer whose name could not be an alias or a SourceIdentity', () => {
    expect(() =>
      synthApp({ credentialConsumers: [{ name: 'Query Worker', principalArn: consumers[0]?.principalArn }] }),
    ).toThrow(/credentialConsumers\.0\.name/);
  });
});

describe('deployment config', () => {
  it('fails synth on CORS "*" unless allowAnyOrigin says it is meant', () => {
    expect(() => synthApp({ corsAllowedOrigins: ['*'] })).toThrow(/orgConnections\.corsAllowedOrigins/);
    expect(() => synthApp({ corsAllowedOrigins: ['*'], allowAnyOrigin: true })).not.toThrow();
  });

  it('allows no other origin by default: no preflight, and no CORS header on the gateway answers', () => {
    const template = Template.fromStack(synthApp().stateless);

    expect(
      template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }),
    ).toEqual({});
    for (const response of Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'))) {
      expect(response.Properties.ResponseParameters ?? {}).not.toHaveProperty(
        'gatewayresponse.header.Access-Control-Allow-Origin',
      );
    }
  });

  it('trusts an issuer only over https', () => {
    expect(() =>
      synthApp({ auth: { mode: 'issuer', issuer: 'http://login.example.com/', audience: 'api' } }),
    ).toThrow(/orgConnections\.auth\.issuer: must be an https URL/);
  });

  it('reads -c orgConnections={…} from the command line as the JSON string the CDK CLI passes', () => {
    const template = Template.fromStack(synthApp('{"alarmEmail":"ops@example.com"}' as never).stateless);

    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'ops@example.com' });
    expect(() => synthApp('{alarmEmail:' as never)).toThrow(/must be JSON/);
  });

  it('fails synth naming the bad setting', () => {
    expect(() => synthApp({ trustedAccountId: '12345' })).toThrow(/orgConnections\.trustedAccountId/);
  });

  it('refuses unknown settings, so a typo is not silently ignored', () => {
    expect(() => synthApp({ trustedAccountID: '123456789012' })).toThrow(/orgConnections/);
  });
});

describe('cdk-nag', () => {
  it('passes the AWS Solutions checks with the acknowledged findings', () => {
    expect(() => synthApp().app.synth()).not.toThrow();
  });

  it('fails synth on an unacknowledged finding', () => {
    const { app, stateless: stack } = synthApp();
    new Queue(stack, 'UnencryptedQueueWithoutDlq');

    expect(() => app.synth()).toThrow();
  });
});
