import {
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { RunRef } from '../../domain/sync-runs';
import { memberCheckInput } from '../../domain/sync-runs';
import type { WorkflowPort } from '../../ports/sync-state';

/** ListExecutions returns at most this many a page. */
const LIST_PAGE_MAX = 1000;

/** The sync state machine; the run id names the execution, so a retry starts nothing twice. */
export class SfnWorkflow implements WorkflowPort {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(ref: RunRef): Promise<void> {
    await this.execute(ref.runId, { ref });
  }

  async checkMembers(target: Omit<RunRef, 'runId'>, checkId: string): Promise<void> {
    await this.execute(checkId, memberCheckInput(target, checkId));
  }

  private async execute(name: string, input: unknown): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
    } catch (error: unknown) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }

  async running(limit: number): Promise<number> {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: this.stateMachineArn,
          statusFilter: 'RUNNING',
          maxResults: Math.min(LIST_PAGE_MAX, limit - count),
          nextToken,
        }),
      );
      count += page.executions?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken && count < limit);
    return Math.min(count, limit);
  }
}
