import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DETAIL_TYPES, EVENT_DETAIL_SCHEMAS } from '../../../schemas/events';

const GENERATED = 'schemas/generated';

describe('the generated files consumers code against', () => {
  it('are committed exactly as `npm run generate` writes them (run it after changing a schema)', () => {
    // In a process of its own: openapi-typescript is an ES module that Jest's CommonJS cannot load.
    const check = spawnSync('node_modules/.bin/tsx', ['bin/generate.ts', '--check'], { encoding: 'utf8' });

    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('hold a JSON Schema and a sample of every event, the sample valid against the detail schema', () => {
    for (const type of DETAIL_TYPES) {
      const schema = JSON.parse(readFileSync(`${GENERATED}/events/${type}.json`, 'utf8'));
      const sample = JSON.parse(readFileSync(`${GENERATED}/events/samples/${type}.json`, 'utf8'));

      expect(schema.properties['detail-type']).toEqual({ type: 'string', const: type });
      expect(sample['detail-type']).toBe(type);
      expect(EVENT_DETAIL_SCHEMAS[type].safeParse(sample.detail).success).toBe(true);
    }
  });

  it('describe every route of the API, with the typed client generated from the same document', () => {
    const openapi = JSON.parse(readFileSync(`${GENERATED}/openapi.json`, 'utf8'));
    const types = readFileSync(`${GENERATED}/api.d.ts`, 'utf8');

    for (const [path, operations] of Object.entries(openapi.paths as Record<string, object>)) {
      expect(types).toContain(`"${path}": {`);
      for (const method of Object.keys(operations))
        expect(['get', 'post', 'patch', 'delete']).toContain(method);
    }
  });
});
