import * as z from 'zod';
import { eventSamples } from './event-samples';
import { connectionChangeEventSchema, DETAIL_TYPES, type DetailType, EVENT_SOURCE } from './events';

/** Where `npm run generate` writes what consumers code against; committed, and checked for drift. */
export const GENERATED_DIR = 'schemas/generated';

/** One event of each type, the detail from the samples, the envelope as EventBridge fills it. */
function sampleEvent(type: DetailType, detail: unknown, index: number) {
  return connectionChangeEventSchema(type).parse({
    version: '0',
    id: `0d6f2e4c-28dd-458f-8411-${String(index + 1).padStart(12, '0')}`,
    'detail-type': type,
    source: EVENT_SOURCE,
    account: '123456789012',
    time: '2026-11-30T14:00:31Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Every generated file, by its path under the project: per detail-type, the whole event's JSON
 * Schema (draft-07) and a sample event.
 */
export function generatedFiles(): Record<string, string> {
  const samples = eventSamples();
  const files: Record<string, string> = {};
  DETAIL_TYPES.forEach((type, index) => {
    const schema = z.toJSONSchema(connectionChangeEventSchema(type), {
      target: 'draft-7',
      io: 'output',
    });
    files[`${GENERATED_DIR}/events/${type}.json`] = json({
      ...schema,
      $id: `https://aws-org-connections/events/${encodeURIComponent(type)}.json`,
      title: type,
      description: `The "${type}" connection-change event, as the connections bus delivers it.`,
    });
    files[`${GENERATED_DIR}/events/samples/${type}.json`] = json(sampleEvent(type, samples[type], index));
  });
  return files;
}
