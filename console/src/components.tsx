import { type ReactNode, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

/** An error as the API put it: its message, its hint, and what to do about a 429. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div role="alert" className="error">
        <p>{error instanceof Error ? error.message : 'Something went wrong.'}</p>
      </div>
    );
  }
  return (
    <div role="alert" className="error">
      <p>
        <strong>{error.message}</strong> <code>{error.code}</code>
      </p>
      {error.hint ? <p>{error.hint}</p> : null}
      {error.status === 429 ? (
        <p>Too many requests: try again in {error.retryAfter ?? 'a few'} seconds.</p>
      ) : null}
      {error.requestId ? <p className="muted">Request id {error.requestId}</p> : null}
    </div>
  );
}

/** Loading, error or content: every page shows one of the three. */
export function Loading<T>({
  data,
  error,
  children,
  what,
}: {
  data: T | undefined;
  error: unknown;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (error) return <ErrorMessage error={error} />;
  if (data === undefined) {
    return (
      <p role="status" aria-live="polite">
        Loading {what}…
      </p>
    );
  }
  return <>{children(data)}</>;
}

/** A button that runs an action, shows that it runs, and shows its error. */
export function ActionButton({
  label,
  run,
  className,
}: {
  label: string;
  run: () => Promise<unknown>;
  className?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <span className="action">
      <button
        type="button"
        className={className}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await run();
          } catch (failure: unknown) {
            setError(failure);
          } finally {
            setBusy(false);
          }
        }}
      >
        {label}
      </button>
      <ErrorMessage error={error} />
    </span>
  );
}

/** A modal dialog on the browser's own <dialog>: focus moves in, Escape closes it. */
export function Dialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby="dialog-title" onClose={onClose}>
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.replace(/_/g, '-')}`}>{status.replace(/_/g, ' ')}</span>;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
