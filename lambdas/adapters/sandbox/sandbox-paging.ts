import { SandboxApiError } from './sandbox-errors';

/** AWS Organizations returns at most 20 items a page. */
export const MAX_PAGE_SIZE = 20;

/** The calls that list `items` children here: more than a page starts with an empty one (see `organizationsPage`). */
export function pageCount(items: number): number {
  return items <= MAX_PAGE_SIZE ? 1 : 1 + Math.ceil(items / MAX_PAGE_SIZE);
}

export interface PageRequest {
  readonly maxResults?: number;
  readonly nextToken?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

/** One page of a list, as Organizations pages: at most 20, and a page may be empty yet go on. */
export function organizationsPage<T>(items: readonly T[], request: PageRequest = {}): Page<T> {
  const size = request.maxResults ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new SandboxApiError('InvalidInputException', `MaxResults must be 1 to ${MAX_PAGE_SIZE}.`);
  }
  let offset = 0;
  if (request.nextToken !== undefined) {
    offset = Number(Buffer.from(request.nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
      throw new SandboxApiError('InvalidInputException', 'The NextToken is not valid.');
    }
  } else if (items.length > size) {
    // AWS may answer a first page with no items and a token; clients must keep going.
    return { items: [], nextToken: token(0) };
  }
  const end = Math.min(items.length, offset + size);
  return { items: items.slice(offset, end), ...(end < items.length ? { nextToken: token(end) } : {}) };
}

function token(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}
