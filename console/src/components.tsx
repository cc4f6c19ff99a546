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

/** A radio group: a legend and one choice per option; `children` follow the choices. */
export function Choices<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  children,
}: {
  legend: string;
  name: string;
  options: readonly (readonly [T, string])[];
  value: T;
  onChange: (value: T) => void;
  children?: ReactNode;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map(([option, label]) => (
        <label key={option} className="choice">
          <input type="radio" name={name} checked={value === option} onChange={() => onChange(option)} />
          {label}
        </label>
      ))}
      {children}
    </fieldset>
  );
}

/** A table of loaded rows: loading, error, empty, or a row per item with its cells. */
export function DataTable<T>({
  data,
  error,
  what,
  empty,
  columns,
  rowKey,
  cells,
}: {
  data: readonly T[] | undefined;
  error: unknown;
  what: string;
  empty: ReactNode;
  columns: readonly string[];
  rowKey: (row: T) => string;
  cells: (row: T) => ReactNode[];
}) {
  return (
    <Loading data={data} error={error} what={what}>
      {(rows) =>
        rows.length === 0 ? (
          <p>{empty}</p>
        ) : (
          <table>
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={rowKey(row)}>
                  {cells(row).map((cell, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a row's cells are fixed, in column order
                    <td key={index}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Loading>
  );
}

/** Who may use a node or an integration, as the choices read. */
export const SHARE_CHOICES = [
  ['none', 'No workspaces'],
  ['all', 'All workspaces'],
  ['selected', 'Selected workspaces'],
] as const;

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.replace(/_/g, '-')}`}>{status.replace(/_/g, ' ')}</span>;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
