import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { BusEntry, EventBusPort } from '../../publisher/ports';

/** The connections bus through PutEvents; a failed entry has an ErrorCode at its index. */
export class EventBridgeBus implements EventBusPort {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async put(entries: readonly BusEntry[]): Promise<readonly number[]> {
    const answer = await this.client.send(
      new PutEventsCommand({
        Entries: entries.map((entry) => ({
          EventBusName: this.busName,
          Source: entry.source,
          DetailType: entry.detailType,
          Detail: entry.detail,
        })),
      }),
    );
    if (!answer.FailedEntryCount) return [];
    return (answer.Entries ?? []).flatMap((entry, index) => (entry.ErrorCode ? [index] : []));
  }
}
