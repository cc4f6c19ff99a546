/**
 * The sync workflow in Amazon States Language, defined once: the CDK stack puts in the
 * function's ARN and the partition, and the local runtime runs the same definition with
 * aws-local-stepfunctions, overriding the three Task states by name.
 */
export const WORKFLOW_STATES = {
  step: 'Sync step',
  finalize: 'Finalize run',
  fail: 'Record failure',
} as const;

/** Replaced by the CDK stack (with CloudFormation references) and by the local runtime. */
export type WorkflowSubstitution = 'SyncFunctionArn' | 'Partition';

/** The placeholder of a substitution, as it appears in the definition. */
export function placeholder(name: WorkflowSubstitution): string {
  return `\${${name}}`;
}

/** Errors of the Lambda service itself, and a step that ran out of time: always worth a retry. */
const LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Sandbox.Timedout',
];

/**
 * Interruptions (error names are our stable codes): the step resumes from its checkpoint.
 * AccessDenied (`MISSING_PERMISSIONS`) and a refused role are never retried.
 */
const INTERRUPTIONS = ['UPSTREAM_THROTTLED', 'UPSTREAM_UNAVAILABLE', 'SYNC_IN_PROGRESS'];

const lambdaRetry = {
  ErrorEquals: LAMBDA_ERRORS,
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

function invoke(action: string, extra: Record<string, string> = {}) {
  return {
    Type: 'Task',
    Resource: `arn:${placeholder('Partition')}:states:::lambda:invoke`,
    Parameters: {
      FunctionName: placeholder('SyncFunctionArn'),
      Payload: { action, 'ref.$': '$.ref', ...extra },
    },
  };
}

export function syncWorkflowDefinition() {
  return {
    Comment: 'One sync run of one integration: step until the walk is complete, then finalize.',
    StartAt: WORKFLOW_STATES.step,
    States: {
      [WORKFLOW_STATES.step]: {
        ...invoke('step'),
        ResultSelector: { 'done.$': '$.Payload.done' },
        ResultPath: '$.step',
        Retry: [
          lambdaRetry,
          {
            ErrorEquals: INTERRUPTIONS,
            IntervalSeconds: 10,
            MaxAttempts: 5,
            BackoffRate: 2,
            MaxDelaySeconds: 300,
            JitterStrategy: 'FULL',
          },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: WORKFLOW_STATES.fail }],
        Next: 'Walk complete?',
      },
      'Walk complete?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.step.done', BooleanEquals: true, Next: WORKFLOW_STATES.finalize }],
        Default: WORKFLOW_STATES.step,
      },
      [WORKFLOW_STATES.finalize]: {
        ...invoke('finalize'),
        ResultSelector: { 'next.$': '$.Payload.next' },
        ResultPath: '$.result',
        Retry: [
          lambdaRetry,
          {
            ErrorEquals: INTERRUPTIONS,
            IntervalSeconds: 5,
            MaxAttempts: 4,
            BackoffRate: 2,
            JitterStrategy: 'FULL',
          },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: WORKFLOW_STATES.fail }],
        Next: 'Follow-up?',
      },
      [WORKFLOW_STATES.fail]: {
        ...invoke('fail', { 'error.$': '$.error' }),
        ResultSelector: { 'next.$': '$.Payload.next' },
        ResultPath: '$.result',
        Retry: [{ ...lambdaRetry, ErrorEquals: ['States.ALL'] }],
        Next: 'Follow-up?',
      },
      'Follow-up?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.result.next', IsString: true, Next: 'Next run' }],
        Default: 'Done',
      },
      'Next run': {
        Type: 'Pass',
        Parameters: {
          ref: {
            'tenantId.$': '$.ref.tenantId',
            'integrationId.$': '$.ref.integrationId',
            'runId.$': '$.result.next',
          },
        },
        Next: WORKFLOW_STATES.step,
      },
      Done: { Type: 'Succeed' },
    },
  };
}
