import { INTERRUPTIONS } from './workflow-errors';
/**
 * The sync workflow in Amazon States Language, defined once: the CDK stack puts in the
 * function's ARN and the partition, and the local runtime runs the same definition with
 * aws-local-stepfunctions, overriding the three Task states by name.
 */
export const WORKFLOW_STATES = {
  step: 'Sync step',
  finalize: 'Finalize run',
  fail: 'Record failure',
  checkMembers: 'Check member roles',
} as const;

/** The Wait state between passes over new accounts whose member role is not deployed yet. */
export const AWAIT_DEPLOYMENTS = 'Await role deployments';

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
    Comment:
      'One sync run of one integration: step until the walk is complete, then finalize; after a complete walk, check the member roles.',
    StartAt: 'Sync or check?',
    States: {
      'Sync or check?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.check', IsPresent: true, Next: WORKFLOW_STATES.checkMembers }],
        Default: WORKFLOW_STATES.step,
      },
      ...runStates(),
      ...memberCheckStates(),
      // The follow-up run goes on in the same execution, with the correlation id of its request.
      'Next run': {
        Type: 'Pass',
        Parameters: { 'ref.$': '$.result.next' },
        Next: WORKFLOW_STATES.step,
      },
      Done: { Type: 'Succeed' },
    },
  };
}

/** A run: steps until the walk is complete, then its end (or its failure), then what follows it. */
function runStates() {
  return {
    [WORKFLOW_STATES.step]: {
      ...invoke('step'),
      ResultSelector: { 'done.$': '$.Payload.done' },
      ResultPath: '$.step',
      Retry: [lambdaRetry, interruptionRetry({ IntervalSeconds: 10, MaxAttempts: 5, MaxDelaySeconds: 300 })],
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
      ResultSelector: {
        'next.$': '$.Payload.next',
        'checkMembers.$': '$.Payload.checkMembers',
        'check.$': '$.Payload.check',
      },
      ResultPath: '$.result',
      Retry: [lambdaRetry, interruptionRetry({ IntervalSeconds: 5, MaxAttempts: 4 })],
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
      Choices: [
        // Not IsNull rather than `IsNull: false`, which aws-local-stepfunctions never matches.
        { Not: { Variable: '$.result.next', IsNull: true }, Next: 'Next run' },
        {
          And: [
            { Variable: '$.result.checkMembers', IsPresent: true },
            { Variable: '$.result.checkMembers', BooleanEquals: true },
          ],
          Next: 'Start member check',
        },
      ],
      Default: 'Done',
    },
  };
}

/** A check of the member roles, a page per invocation. */
function memberCheckStates() {
  return {
    'Start member check': {
      Type: 'Pass',
      // The first invocation is told which roles to check; the next ones carry it in their progress.
      Parameters: { 'ref.$': '$.ref', 'check.$': '$.result.check' },
      Next: WORKFLOW_STATES.checkMembers,
    },
    // Health is news, not the sync: a check that fails leaves the last one's records and ends.
    [WORKFLOW_STATES.checkMembers]: {
      ...invoke('check-members', { 'check.$': '$.check' }),
      ResultSelector: { 'progress.$': '$.Payload' },
      ResultPath: '$.checked',
      Retry: [lambdaRetry, interruptionRetry({ IntervalSeconds: 10, MaxAttempts: 3 })],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Done' }],
      Next: 'Members left?',
    },
    'Members left?': {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.checked.progress.done', BooleanEquals: false },
            { Variable: '$.checked.progress.waitSeconds', NumericGreaterThan: 0 },
          ],
          Next: AWAIT_DEPLOYMENTS,
        },
        { Variable: '$.checked.progress.done', BooleanEquals: false, Next: 'Next members' },
      ],
      Default: 'Done',
    },
    // New accounts wait for the StackSet to deploy their role; a Standard workflow waits for free.
    [AWAIT_DEPLOYMENTS]: {
      Type: 'Wait',
      SecondsPath: '$.checked.progress.waitSeconds',
      Next: 'Next members',
    },
    'Next members': {
      Type: 'Pass',
      Parameters: { 'ref.$': '$.ref', 'check.$': '$.checked.progress' },
      Next: WORKFLOW_STATES.checkMembers,
    },
  };
}

/** Interruptions are retried with full jitter: the step resumes from its checkpoint. */
function interruptionRetry(timing: {
  IntervalSeconds: number;
  MaxAttempts: number;
  MaxDelaySeconds?: number;
}) {
  const { IntervalSeconds, MaxAttempts, MaxDelaySeconds } = timing;
  return {
    ErrorEquals: INTERRUPTIONS,
    IntervalSeconds,
    MaxAttempts,
    BackoffRate: 2,
    ...(MaxDelaySeconds === undefined ? {} : { MaxDelaySeconds }),
    JitterStrategy: 'FULL',
  };
}
