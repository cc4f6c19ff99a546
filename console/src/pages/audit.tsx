import { useEffect, useState } from 'react';
import { type Answer, api, ok } from '../api';
import { DataTable, ErrorMessage } from '../components';

type AuditEntry = Answer<'/v1/audit'>['items'][number];

const PAGE = 50;

/** A value as one short line: the audit shows what changed, not whole documents. */
function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function changesOf(entry: AuditEntry): string {
  return Object.entries(entry.changes ?? {})
    .map(([field, { before, after }]) => `${field}: ${brief(before)} → ${brief(after)}`)
    .join('; ');
}

/**
 * Who changed what through the API, newest first: of one integration, or everything the
 * signed-in user may see. Older entries load a page at a time.
 */
export function AuditPage({ integrationId }: { integrationId?: string }) {
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = async (after?: string) => {
    try {
      const page = await ok(
        api().GET('/v1/audit', {
          params: {
            query: {
              limit: PAGE,
              ...(integrationId ? { integrationId } : {}),
              ...(after ? { cursor: after } : {}),
            },
          },
        }),
      );
      setEntries((before) => [...(after ? (before ?? []) : []), ...page.items]);
      setCursor(page.nextCursor);
      setError(null);
    } catch (failure: unknown) {
      setError(failure);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page loads again only for another integration
  useEffect(() => {
    setEntries(undefined);
    void load();
  }, [integrationId]);

  return (
    <>
      <h1>Audit</h1>
      <p>
        {integrationId ? (
          <a href={`#/integrations/${integrationId}`}>Back to the integration</a>
        ) : (
          'Every change made through the API that you may see, newest first.'
        )}
      </p>
      <DataTable
        data={entries}
        error={entries === undefined ? error : null}
        what="the audit log"
        empty="No change has been made yet."
        columns={['When', 'Who', 'Action', 'Target', 'Changes']}
        rowKey={(entry) => entry.id}
        cells={(entry) => [
          new Date(entry.at).toLocaleString(),
          entry.actor.sub,
          entry.action,
          `${entry.target.type} ${entry.target.id}`,
          changesOf(entry),
        ]}
      />
      {entries !== undefined ? <ErrorMessage error={error} /> : null}
      {cursor ? (
        <button type="button" onClick={() => void load(cursor)}>
          Older entries
        </button>
      ) : null}
    </>
  );
}
