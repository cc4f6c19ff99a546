import * as z from 'zod';
import { ValidationError } from '../../core/errors';

/**
 * Opaque list cursors: the last sort key read, base64url-encoded. The partition key never comes
 * from a cursor, always from the verified tenant, so a forged cursor cannot cross tenants.
 */
export function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk })).toString('base64url');
}

/**
 * Our sort keys are well under this; DynamoDB refuses a key over 1,024 bytes with an error that
 * would otherwise surface as a 500.
 */
const MAX_SORT_KEY_LENGTH = 512;

/** Throws a ValidationError for a cursor that is not one this list issued. */
export function decodeCursor(cursor: string, prefix: string): string {
  try {
    const { sk } = z
      .object({ sk: z.string().startsWith(prefix).max(MAX_SORT_KEY_LENGTH) })
      .parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return sk;
  } catch {
    throw new ValidationError('The cursor is not one this list issued.', [
      { field: 'query.cursor', message: 'invalid cursor' },
    ]);
  }
}
