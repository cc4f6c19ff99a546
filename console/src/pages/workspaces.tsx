import { useState } from 'react';
import { api, ok } from '../api';
import { DataTable } from '../components';
import { useLoad } from '../hooks';

/** The connections a workspace may use: shared with it by name, or with every workspace. */
export function WorkspacesPage() {
  const [typed, setTyped] = useState('');
  const [workspaceId, setWorkspaceId] = useState('');
  return (
    <>
      <h1>Workspaces</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setWorkspaceId(typed.trim());
        }}
      >
        <label className="field">
          <span>Workspace id</span>
          <input value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
        </label>
        <button type="submit" className="primary">
          Show connections
        </button>
      </form>
      {workspaceId ? <WorkspaceConnections key={workspaceId} workspaceId={workspaceId} /> : null}
    </>
  );
}

function WorkspaceConnections({ workspaceId }: { workspaceId: string }) {
  const list = useLoad(
    () =>
      ok(
        api().GET('/v1/workspaces/{workspaceId}/connections', {
          params: { path: { workspaceId }, query: { limit: 100 } },
        }),
      ),
    workspaceId,
  );
  return (
    <section aria-labelledby="workspace-title" className="card">
      <h2 id="workspace-title">Connections of {workspaceId}</h2>
      <DataTable
        data={list.data?.items}
        error={list.error}
        what="the connections"
        empty="No connection is shared with this workspace."
        columns={['Handle', 'Account', 'Name', 'Shared']}
        rowKey={(item) => `${item.integrationId}-${item.connection.id}`}
        cells={(item) => [
          item.connection.handle,
          item.connection.id,
          item.connection.name,
          item.via === 'all' ? 'with every workspace' : 'by name',
        ]}
      />
    </section>
  );
}
