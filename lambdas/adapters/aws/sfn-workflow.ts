import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunRef, WorkflowPort } from '../../sync/ports';

/** Starts the sync state machine; the run id names the execution, so a retry starts nothing twice. */
export class SfnWorkflow implements WorkflowPort {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(ref: RunRef): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: ref.runId,
          input: JSON.stringify({ ref }),
        }),
      );
    } catch (error: unknown) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}
