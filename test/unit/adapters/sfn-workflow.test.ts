import {
  ExecutionAlreadyExists,
  type ExecutionListItem,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { SfnWorkflow } from '../../../lambdas/adapters/aws/sfn-workflow';

const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:OrgConnections-sync';

function executions(count: number): ExecutionListItem[] {
  return Array.from({ length: count }, (_, i) => ({
    executionArn: `${MACHINE}:run-${i}`,
    stateMachineArn: MACHINE,
    name: `run-${i}`,
    status: 'RUNNING',
    startDate: new Date(0),
  }));
}

beforeEach(() => sfn.reset());

describe('SfnWorkflow', () => {
  it('names the execution after the run, so starting it again starts nothing twice', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const workflow = new SfnWorkflow(new SFNClient({}), MACHINE);

    await workflow.start({ tenantId: 't1', integrationId: 'i1', runId: 'r1', correlationId: 'request-1' });

    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: MACHINE,
      name: 'r1',
      input: JSON.stringify({
        ref: { tenantId: 't1', integrationId: 'i1', runId: 'r1', correlationId: 'request-1' },
      }),
    });
  });

  it('counts running executions across pages, and stops reading once it reaches the limit', async () => {
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: executions(1000), nextToken: 'page-2' })
      .resolvesOnce({ executions: executions(200), nextToken: 'page-3' })
      .resolves({ executions: executions(1000) });
    const workflow = new SfnWorkflow(new SFNClient({}), MACHINE);

    expect(await workflow.running(1200)).toBe(1200);
    expect(sfn).toHaveReceivedCommandTimes(ListExecutionsCommand, 2);
    expect(sfn.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, statusFilter: 'RUNNING', maxResults: 1000, nextToken: undefined },
      { stateMachineArn: MACHINE, statusFilter: 'RUNNING', maxResults: 200, nextToken: 'page-2' },
    ]);
  });

  it('counts fewer than the limit when fewer run', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: executions(7) });

    expect(await new SfnWorkflow(new SFNClient({}), MACHINE).running(100)).toBe(7);
  });
});
