import { useEffect, useRef, useState } from 'react';
import { api, type ChangeEvent, ok } from '../api';
import { ErrorMessage } from '../components';
import { usePoll } from '../hooks';

/** How often the page asks for newer events while it is open. */
const LIVE_POLL_MS = 2_000;
const FIRST_PAGE = 50;

function describe(event: ChangeEvent): string {
  const detail = event.detail as Record<string, unknown>;
  const node = (detail.connection ?? detail.folder ?? detail.integration) as
    | { name?: string; id?: string; handle?: string }
    | undefined;
  const changes = (detail.changes as { field: string }[] | undefined)?.map((change) => change.field);
  const what = node ? `${node.name ?? node.handle ?? ''} (${node.id ?? ''})` : '';
  return [what, changes?.length ? `changed ${changes.join(', ')}` : ''].filter(Boolean).join(': ');
}

/** The integration's change events, newest first; newer ones appear while the page is open. */
export function ActivityPage({ integrationId }: { integrationId: string }) {
  const [events, setEvents] = useState<ChangeEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const newest = useRef(0);
  const path = { id: integrationId };

  useEffect(() => {
    ok(
      api().GET('/v1/integrations/{id}/events', {
        params: { path: { id: integrationId }, query: { order: 'desc', limit: FIRST_PAGE } },
      }),
    ).then((page) => {
      newest.current = page.items[0]?.detail.sequence ?? 0;
      setEvents(page.items);
    }, setError);
  }, [integrationId]);

  usePoll(
    async () => {
      try {
        const page = await ok(
          api().GET('/v1/integrations/{id}/events', {
            params: { path, query: { afterSequence: newest.current, limit: 100 } },
          }),
        );
        if (page.items.length === 0) return;
        newest.current = page.items.at(-1)?.detail.sequence ?? newest.current;
        setEvents((before) => [...[...page.items].reverse(), ...(before ?? [])]);
        setError(null);
      } catch (failure: unknown) {
        setError(failure);
      }
    },
    LIVE_POLL_MS,
    events !== null,
  );

  return (
    <>
      <h1>Activity</h1>
      <p>
        <a href={`#/integrations/${integrationId}`}>Back to the integration</a>
      </p>
      <ErrorMessage error={error} />
      {events === null && !error ? <p role="status">Loading the events…</p> : null}
      {events?.length === 0 ? <p>No event yet.</p> : null}
      <ol className="activity" aria-label="Change events, newest first" aria-live="polite">
        {(events ?? []).map((event) => (
          <li key={event.detail.eventId}>
            <span className="muted">#{event.detail.sequence}</span> <strong>{event.detailType}</strong>{' '}
            {describe(event)}
          </li>
        ))}
      </ol>
    </>
  );
}
