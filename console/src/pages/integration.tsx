import { useEffect, useMemo, useRef, useState } from 'react';
import { api, type Integration, ok, type StatusReport, scopeLabel, type TreeNode } from '../api';
import { ActionButton, DataTable, Dialog, ErrorMessage, Loading, StatusBadge, when } from '../components';
import { navigate, useLoad, usePoll } from '../hooks';
import { NodePanel } from './node-panel';
import { Tree } from './tree';

/** How often the page asks for the status, so a sync's progress shows within this long. */
const STATUS_POLL_MS = 2_000;

/** One integration: its sync's progress, actions, held accounts, tree, node panel and runs. */
export function IntegrationPage({ integrationId }: { integrationId: string }) {
  const path = { params: { path: { id: integrationId } } };
  const integration = useLoad(() => ok(api().GET('/v1/integrations/{id}', path)), integrationId);
  const status = useLoad(() => ok(api().GET('/v1/integrations/{id}/status', path)), integrationId);
  usePoll(status.reload, STATUS_POLL_MS, status.data !== undefined);
  const tree = useTree(integrationId, status.data?.lastRun?.id ?? null);
  const [selected, setSelected] = useState<TreeNode | null>(null);

  return (
    <Loading data={integration.data} error={integration.error} what="the integration">
      {(data: Integration) => (
        <>
          <div className="title-row">
            <h1>{data.handle}</h1>
            <StatusBadge status={status.data?.status ?? data.status} />
          </div>
          <p className="muted">
            {data.kind === 'organization' ? `Organization ${data.organizationId ?? ''}` : 'Single account'} ·{' '}
            {scopeLabel(data.scope)} · management account {data.managementAccountId ?? data.accountId} · role{' '}
            <code>{data.roleArn}</code>
          </p>
          <ErrorMessage error={status.error} />
          {status.data ? <Progress report={status.data} /> : null}
          <Actions integration={data} onChange={status.reload} />
          <HeldAccounts nodes={tree.nodes} integrationId={integrationId} onChange={tree.reload} />
          <div className="split">
            <section aria-labelledby="tree-title" className="card">
              <h2 id="tree-title">Folders and connections</h2>
              <ErrorMessage error={tree.error} />
              <Tree
                nodes={tree.nodes}
                complete={tree.complete}
                total={status.data ? status.data.counts.folders + status.data.counts.connections : null}
                selectedId={selected?.id ?? null}
                onSelect={setSelected}
              />
            </section>
            {selected ? (
              <NodePanel
                key={selected.id}
                integrationId={integrationId}
                node={selected}
                report={status.data ?? null}
                onSaved={tree.reload}
              />
            ) : null}
          </div>
          <Runs integrationId={integrationId} lastRunId={status.data?.lastRun?.id ?? null} />
        </>
      )}
    </Loading>
  );
}

function Progress({ report }: { report: StatusReport }) {
  const run = report.currentRun ?? report.lastRun;
  return (
    <section aria-labelledby="progress-title" className="card">
      <h2 id="progress-title">{report.currentRun ? 'Sync in progress' : 'Last sync'}</h2>
      {run ? (
        <dl className="progress" aria-live="polite">
          <dt>Phase</dt>
          <dd>
            {run.status} ({run.trigger}){report.currentRun ? '' : `, finished ${when(run.finishedAt)}`}
          </dd>
          <dt>OUs found</dt>
          <dd>{run.progress.foldersSeen}</dd>
          <dt>Accounts found</dt>
          <dd>{run.progress.accountsSeen}</dd>
          <dt>Organizations calls</dt>
          <dd>{run.progress.organizationsCalls}</dd>
          <dt>Throttles</dt>
          <dd>{run.progress.organizationsThrottles}</dd>
          <dt>Changes</dt>
          <dd>
            {run.counts.created} created, {run.counts.updated} updated, {run.counts.deleted} deleted
          </dd>
        </dl>
      ) : (
        <p>No sync has run yet.</p>
      )}
      {report.lastError ? (
        <div role="alert" className="error">
          <p>
            <strong>{report.lastError.message}</strong> <code>{report.lastError.code}</code>
          </p>
          {report.lastError.hint ? <p>{report.lastError.hint}</p> : null}
        </div>
      ) : null}
      {report.memberAccess ? (
        <p>
          Member roles, checked {when(report.memberAccess.checkedAt)}: {report.memberAccess.ok} ok,{' '}
          {report.memberAccess.denied} denied, {report.memberAccess.notDeployed} not deployed,{' '}
          {report.memberAccess.pendingDeployment} pending, {report.memberAccess.error} errors.{' '}
          {report.memberTemplates ? `${report.memberTemplates.summary}.` : null}
          {report.memberCheckDueAt ? ` Next full check: ${when(report.memberCheckDueAt)}.` : null}
        </p>
      ) : null}
    </section>
  );
}

function Actions({ integration, onChange }: { integration: Integration; onChange: () => void }) {
  const path = { params: { path: { id: integration.id } } };
  const [note, setNote] = useState('');
  const [deleting, setDeleting] = useState(false);
  const [typed, setTyped] = useState('');
  const [deleteError, setDeleteError] = useState<unknown>(null);
  return (
    <section aria-labelledby="actions-title" className="card actions">
      <h2 id="actions-title">Actions</h2>
      <ActionButton
        label="Sync now"
        run={async () => {
          const accepted = await ok(
            api().POST('/v1/integrations/{id}/sync', {
              params: { path: { id: integration.id }, query: { confirmDeletions: 'false' } },
            }),
          );
          setNote(accepted.coalesced ? 'A sync is running; it will run again after it.' : 'Sync started.');
          onChange();
        }}
      />
      <ActionButton
        label="Test member roles"
        run={async () => {
          const tested = await ok(api().POST('/v1/integrations/{id}/test', path));
          setNote(
            tested.memberCheck.status === 'started'
              ? 'The management role passed; a check of every member role started.'
              : 'The management role passed; a member check is already running.',
          );
        }}
      />
      <a href={`#/integrations/${integration.id}/activity`}>Activity</a>
      <a href={`#/integrations/${integration.id}/audit`}>Audit</a>
      <button type="button" className="danger" onClick={() => setDeleting(true)}>
        Delete integration
      </button>
      <p role="status">{note}</p>
      <Dialog open={deleting} title={`Delete ${integration.handle}?`} onClose={() => setDeleting(false)}>
        <p>
          Its folders and connections are removed, and the platform is told. The roles in AWS stay: delete
          their stacks yourself.
        </p>
        <label className="field">
          <span>Type the handle to confirm</span>
          <input value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
        </label>
        <ErrorMessage error={deleteError} />
        <div className="wizard-buttons">
          <button type="button" onClick={() => setDeleting(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            disabled={typed !== integration.handle}
            onClick={async () => {
              try {
                await ok(
                  api().DELETE('/v1/integrations/{id}', {
                    params: { path: { id: integration.id }, query: { confirm: typed } },
                  }),
                );
                setDeleting(false);
                navigate('/');
              } catch (failure: unknown) {
                setDeleteError(failure);
              }
            }}
          >
            Delete integration
          </button>
        </div>
      </Dialog>
    </section>
  );
}

function HeldAccounts({
  nodes,
  integrationId,
  onChange,
}: {
  nodes: TreeNode[];
  integrationId: string;
  onChange: () => void;
}) {
  const held = nodes.filter((node) => node.type === 'connection' && node.held);
  if (held.length === 0) return null;
  return (
    <section aria-labelledby="held-title" className="card">
      <h2 id="held-title">Held accounts</h2>
      <p>These accounts joined the organization and wait for approval: they are not shared until approved.</p>
      <ul>
        {held.map((node) => {
          const path = { params: { path: { id: integrationId, accountId: node.id } } };
          return (
            <li key={node.id}>
              {node.name} <code>{node.id}</code>{' '}
              <ActionButton
                label={`Approve ${node.name}`}
                run={async () => {
                  await ok(api().POST('/v1/integrations/{id}/connections/{accountId}/approve', path));
                  onChange();
                }}
              />
              <ActionButton
                label={`Reject ${node.name}`}
                run={async () => {
                  await ok(api().POST('/v1/integrations/{id}/connections/{accountId}/reject', path));
                  onChange();
                }}
              />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Runs({ integrationId, lastRunId }: { integrationId: string; lastRunId: string | null }) {
  const runs = useLoad(
    () =>
      ok(
        api().GET('/v1/integrations/{id}/runs', {
          params: { path: { id: integrationId }, query: { limit: 10 } },
        }),
      ),
    `${integrationId} ${lastRunId}`,
  );
  return (
    <section aria-labelledby="runs-title" className="card">
      <h2 id="runs-title">Run history</h2>
      <DataTable
        data={runs.data?.items}
        error={runs.error}
        what="the runs"
        empty="No run yet."
        columns={['Started', 'Trigger', 'Status', 'Changes', 'Organizations calls']}
        rowKey={(run) => run.id}
        cells={(run) => [
          when(run.startedAt),
          run.trigger,
          <StatusBadge key="status" status={run.status} />,
          `${run.counts.created} / ${run.counts.updated} / ${run.counts.deleted}`,
          run.progress.organizationsCalls,
        ]}
      />
    </section>
  );
}

/**
 * The mirror, a page at a time: the first page shows at once, the rest follow. It is read again
 * when a run ends (a new last run) or on `reload()`.
 */
function useTree(integrationId: string, lastRunId: string | null) {
  const [nodes, setNodes] = useState<TreeNode[]>([]);
  const [complete, setComplete] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [round, setRound] = useState(0);
  const generation = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new last run or a reload reads it again
  useEffect(() => {
    const mine = ++generation.current;
    setComplete(false);
    setError(null);
    (async () => {
      const loaded: TreeNode[] = [];
      let cursor: string | undefined;
      do {
        const page = await ok(
          api().GET('/v1/integrations/{id}/tree', {
            params: { path: { id: integrationId }, query: { limit: 100, cursor } },
          }),
        );
        if (mine !== generation.current) return;
        loaded.push(...page.items);
        setNodes([...loaded]);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      setComplete(true);
    })().catch((failure: unknown) => mine === generation.current && setError(failure));
  }, [integrationId, lastRunId, round]);

  return useMemo(
    () => ({ nodes, complete, error, reload: () => setRound((n) => n + 1) }),
    [nodes, complete, error],
  );
}
