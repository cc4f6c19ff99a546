import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DETAIL_TYPES, EVENT_DETAIL_SCHEMAS } from '../../../schemas/events';
import { GENERATED_DIR, generatedFiles } from '../../../schemas/generated-files';

/** Every file under `dir`, as project paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(file) : [file];
  });
}

describe('the generated files consumers code against', () => {
  const expected = generatedFiles();

  it('are committed exactly as `npm run generate` writes them (run it after changing a schema)', () => {
    const committed = Object.fromEntries(
      filesUnder(GENERATED_DIR).map((file) => [file, readFileSync(file, 'utf8')]),
    );

    expect(Object.keys(committed).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, text] of Object.entries(expected))
      expect({ file, text: committed[file] }).toEqual({ file, text });
  });

  it('hold a JSON Schema and a sample of every event, the sample valid against the detail schema', () => {
    for (const type of DETAIL_TYPES) {
      const schema = JSON.parse(expected[`${GENERATED_DIR}/events/${type}.json`] ?? 'null');
      const sample = JSON.parse(expected[`${GENERATED_DIR}/events/samples/${type}.json`] ?? 'null');

      expect(schema.properties['detail-type']).toEqual({ type: 'string', const: type });
      expect(sample['detail-type']).toBe(type);
      expect(EVENT_DETAIL_SCHEMAS[type].safeParse(sample.detail).success).toBe(true);
    }
  });
});
