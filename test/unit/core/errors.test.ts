import { readFileSync } from 'node:fs';
import { AppError, ERROR_STATUS, toErrorEnvelope } from '../../../lambdas/core/errors';

describe('error codes', () => {
  it('are documented in the API reference with the status they answer', () => {
    const reference = readFileSync('docs/api.md', 'utf8');
    const errors = reference.slice(reference.indexOf('## Errors'));
    const documented: Record<string, number> = {};
    for (const [, status, codes] of errors.matchAll(/^\| (\d{3}) \| (.+) \|$/gm)) {
      for (const [, code] of (codes ?? '').matchAll(/`([A-Z_]+)`/g)) documented[code ?? ''] = Number(status);
    }

    expect(documented).toEqual(ERROR_STATUS);
  });

  it('put hint and details in the envelope only when they exist', () => {
    const bare = toErrorEnvelope(new AppError('NOT_FOUND', 'gone'), 'r1');
    const full = toErrorEnvelope(
      new AppError('HANDLE_TAKEN', 'taken', { hint: 'pick another', details: { handle: 'a' } }),
      'r2',
    );

    expect(bare).toEqual({ error: { code: 'NOT_FOUND', message: 'gone', requestId: 'r1' } });
    expect(full).toEqual({
      error: {
        code: 'HANDLE_TAKEN',
        message: 'taken',
        hint: 'pick another',
        details: { handle: 'a' },
        requestId: 'r2',
      },
    });
  });
});
