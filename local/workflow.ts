import { StateMachine } from 'aws-local-stepfunctions';
import type { RunRef } from '../lambdas/domain/sync-runs';
import { memberCheckInput } from '../lambdas/domain/sync-runs';
import type { WorkflowPort } from '../lambdas/ports/sync-state';
import {
  AWAIT_DEPLOYMENTS,
  placeholder,
  syncWorkflowDefinition,
  WORKFLOW_STATES,
} from '../lambdas/sync/workflow';

type JsonValue = Parameters<StateMachine['run']>[0];

/** The sync function's handler, as the workflow invokes it. */
export type SyncFunction = (
  event: unknown,
  context: { getRemainingTimeInMillis(): number },
) => Promise<unknown>;

export interface LocalWorkflowOptions {
  readonly partition: string;
  /** How long each step may run, as Lambda's remaining time would say. */
  readonly stepMs: number;
  /** The wait before a retry of a failed state, instead of the definition's backoff. */
  readonly retryMs: number;
  /** The wait for new accounts' role deployments, instead of the check's backoff. */
  readonly awaitDeploymentsMs: number;
}

/**
 * The deployed state machine's own definition, run in this process by aws-local-stepfunctions.
 * Its three Task states call the sync function's handler directly. Executions run in the
 * background, as StartExecution's do; `idle()` waits for them.
 */
export class LocalWorkflow implements WorkflowPort {
  private syncFunction: SyncFunction | undefined;
  private readonly executions = new Set<Promise<unknown>>();
  private readonly machine: StateMachine;

  constructor(private readonly options: LocalWorkflowOptions) {
    const definition = JSON.stringify(syncWorkflowDefinition())
      .replaceAll(placeholder('Partition'), options.partition)
      .replaceAll(placeholder('SyncFunctionArn'), 'local-sync-function');
    this.machine = new StateMachine(JSON.parse(definition), { validationOptions: { checkArn: false } });
  }

  /** Set once the handler is loaded: the handler's own service needs this workflow. */
  attach(syncFunction: SyncFunction): void {
    this.syncFunction = syncFunction;
  }

  async start(ref: RunRef): Promise<void> {
    this.execute(ref.runId, { ref: { ...ref } });
  }

  async checkMembers(target: Omit<RunRef, 'runId'>, checkId: string): Promise<void> {
    this.execute(checkId, memberCheckInput(target, checkId));
  }

  private execute(name: string, input: { ref: RunRef; check?: null }): void {
    const call = async (payload: unknown) => {
      if (!this.syncFunction) throw new Error('the sync function is not loaded yet');
      const deadline = Date.now() + this.options.stepMs;
      const result = await this.syncFunction(payload, {
        getRemainingTimeInMillis: () => deadline - Date.now(),
      });
      // The shape of a `lambda:invoke` integration's answer.
      return { StatusCode: 200, Payload: (result ?? null) as JsonValue };
    };
    const execution = this.machine.run(
      { ...input, ref: { ...input.ref } },
      {
        overrides: {
          taskResourceLocalHandlers: {
            [WORKFLOW_STATES.step]: (input) => call(payloadOf(input)),
            [WORKFLOW_STATES.finalize]: (input) => call(payloadOf(input)),
            [WORKFLOW_STATES.fail]: (input) => call(payloadOf(input)),
            [WORKFLOW_STATES.checkMembers]: (input) => call(payloadOf(input)),
          },
          retryIntervalOverrides: Object.fromEntries(
            Object.values(WORKFLOW_STATES).map((state) => [state, this.options.retryMs]),
          ),
          waitTimeOverrides: { [AWAIT_DEPLOYMENTS]: this.options.awaitDeploymentsMs },
        },
      },
    );
    const done = execution.result.catch((error: unknown) => {
      console.error(`local workflow: ${name} ended with an error`, error);
    });
    this.executions.add(done);
    void done.finally(() => this.executions.delete(done));
  }

  async running(limit: number): Promise<number> {
    return Math.min(this.executions.size, limit);
  }

  /** Resolves when no execution is running. */
  async idle(): Promise<void> {
    while (this.executions.size > 0) await Promise.all([...this.executions]);
  }
}

/** A Task override receives the state's effective input: the `Payload` its Parameters built. */
function payloadOf(input: unknown): unknown {
  const parameters = input as { Payload?: unknown };
  return parameters.Payload ?? input;
}
