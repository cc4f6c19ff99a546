/** What a port is asked for: a page of at most `limit` items, after `cursor`. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** A page of items, and the cursor of the next one (null after the last). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}
