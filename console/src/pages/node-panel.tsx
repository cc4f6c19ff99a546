import { useState } from 'react';
import {
  ApiError,
  api,
  type NodePatch,
  ok,
  type Permissions,
  type StatusReport,
  type TreeNode,
} from '../api';
import { Choices, ErrorMessage, Loading, SHARE_CHOICES, StatusBadge, when } from '../components';
import { useLoad } from '../hooks';

type Source = { type: string; id: string };

function sourceText(source: Source, node: TreeNode): string {
  if (source.type === node.type && source.id === node.id) return 'set here';
  if (source.type === 'integration') return 'inherited from the integration';
  return `inherited from ${source.type} ${source.id}`;
}

/**
 * A folder or connection: its effective settings and where each comes from, its member role's
 * health, and an editor for its handle, Regions and sharing. Saves send If-Match; a 412 means
 * someone changed it meanwhile, and "Reload" shows what they did.
 */
export function NodePanel({
  integrationId,
  node,
  report,
  onSaved,
}: {
  integrationId: string;
  node: TreeNode;
  report: StatusReport | null;
  onSaved: () => void;
}) {
  const read = () =>
    node.type === 'folder'
      ? ok(
          api().GET('/v1/integrations/{id}/folders/{ouId}', {
            params: { path: { id: integrationId, ouId: node.id } },
          }),
        )
      : ok(
          api().GET('/v1/integrations/{id}/connections/{accountId}', {
            params: { path: { id: integrationId, accountId: node.id } },
          }),
        );
  const current = useLoad<TreeNode>(read, `${node.type} ${node.id}`);
  // Kept here, not in the editor: a save brings a new version, and with it a new editor.
  const [saved, setSaved] = useState(false);
  return (
    <aside aria-labelledby="panel-title" className="card panel">
      <h2 id="panel-title">{node.name}</h2>
      <p role="status">{saved ? 'Saved.' : ''}</p>
      <Loading data={current.data} error={current.error} what={node.name}>
        {(data) => (
          <Editor
            key={data.version}
            integrationId={integrationId}
            node={data}
            report={report}
            onReload={current.reload}
            onSaving={() => setSaved(false)}
            onSaved={() => {
              setSaved(true);
              current.reload();
              onSaved();
            }}
          />
        )}
      </Loading>
    </aside>
  );
}

function Editor({
  integrationId,
  node,
  report,
  onReload,
  onSaving,
  onSaved,
}: {
  integrationId: string;
  node: TreeNode;
  report: StatusReport | null;
  onReload: () => void;
  onSaving: () => void;
  onSaved: () => void;
}) {
  const [handle, setHandle] = useState(node.handle);
  const [regions, setRegions] = useState(node.effective.regions.value.join(', '));
  const [share, setShare] = useState<Permissions['share']>(node.effective.permissions.value.share);
  const [workspaces, setWorkspaces] = useState(
    node.effective.permissions.value.share === 'selected'
      ? node.effective.permissions.value.workspaceIds.join(', ')
      : '',
  );
  const [error, setError] = useState<unknown>(null);
  const conflict = error instanceof ApiError && error.status === 412;

  async function save() {
    setError(null);
    onSaving();
    const patch: NodePatch = {};
    if (handle !== node.handle) patch.handle = handle;
    const regionList = regions.split(/[\s,]+/).filter(Boolean);
    if (regionList.join(',') !== node.effective.regions.value.join(',')) patch.regions = regionList;
    if (share !== node.effective.permissions.value.share || share === 'selected') {
      patch.permissions =
        share === 'selected'
          ? { share, workspaceIds: workspaces.split(/[\s,]+/).filter(Boolean) }
          : { share };
    }
    if (Object.keys(patch).length === 0) return;
    const headers = { 'If-Match': `"${node.version}"` };
    try {
      if (node.type === 'folder') {
        await ok(
          api().PATCH('/v1/integrations/{id}/folders/{ouId}', {
            params: { path: { id: integrationId, ouId: node.id }, header: headers },
            body: patch,
          }),
        );
      } else {
        await ok(
          api().PATCH('/v1/integrations/{id}/connections/{accountId}', {
            params: { path: { id: integrationId, accountId: node.id }, header: headers },
            body: patch,
          }),
        );
      }
      onSaved();
    } catch (failure: unknown) {
      setError(failure);
    }
  }

  const { effective } = node;
  return (
    <>
      <p className="muted">
        {node.type === 'folder'
          ? `Folder ${node.id}`
          : `Account ${node.id}${node.email ? ` · ${node.email}` : ''}`}
        {node.type === 'connection' ? ` · ${node.state.toLowerCase()}${node.held ? ' · held' : ''}` : ''}
      </p>
      <h3>Effective settings</h3>
      <dl className="summary">
        <dt>Regions</dt>
        <dd>
          {effective.regions.value.join(', ')} <small>({sourceText(effective.regions.source, node)})</small>
          {node.type === 'connection' && node.regionsNotEnabled.length > 0 ? (
            <small className="failed">
              {' '}
              · not enabled in this account: {node.regionsNotEnabled.join(', ')}
            </small>
          ) : null}
        </dd>
        {node.tags ? (
          <>
            <dt>Tags</dt>
            <dd>
              {Object.keys(node.tags).length === 0
                ? 'none'
                : Object.entries(node.tags)
                    .map(([key, value]) => (value === '' ? key : `${key}=${value}`))
                    .join(', ')}
            </dd>
          </>
        ) : null}
        <dt>Options</dt>
        <dd>
          <code>{JSON.stringify(effective.options.value)}</code>{' '}
          <small>({sourceText(effective.options.source, node)})</small>
        </dd>
        <dt>Shared with</dt>
        <dd>
          {effective.permissions.value.share === 'selected'
            ? effective.permissions.value.workspaceIds.join(', ')
            : `${effective.permissions.value.share} workspaces`}{' '}
          <small>({sourceText(effective.permissions.source, node)})</small>
        </dd>
      </dl>
      {node.type === 'connection' ? <Health node={node} report={report} /> : null}
      <h3>Edit</h3>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label className="field">
          <span>Handle</span>
          <input value={handle} onChange={(event) => setHandle(event.target.value)} autoComplete="off" />
        </label>
        <label className="field">
          <span>Regions of this {node.type} (comma-separated)</span>
          <input value={regions} onChange={(event) => setRegions(event.target.value)} autoComplete="off" />
        </label>
        <Choices
          legend={`Sharing of this ${node.type}`}
          name="node-share"
          options={SHARE_CHOICES}
          value={share}
          onChange={setShare}
        >
          {share === 'selected' ? (
            <label className="field">
              <span>Workspace ids</span>
              <input value={workspaces} onChange={(event) => setWorkspaces(event.target.value)} />
            </label>
          ) : null}
        </Choices>
        <button type="submit" className="primary">
          Save
        </button>
      </form>
      {conflict ? (
        <div role="alert" className="error">
          <p>This {node.type} changed since you opened it. Reload to see the change, then edit again.</p>
          <button type="button" onClick={onReload}>
            Reload
          </button>
        </div>
      ) : (
        <ErrorMessage error={error} />
      )}
    </>
  );
}

function Health({
  node,
  report,
}: {
  node: Extract<TreeNode, { type: 'connection' }>;
  report: StatusReport | null;
}) {
  const { health } = node;
  return (
    <>
      <h3>Member role</h3>
      {health ? (
        <dl className="summary">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={health.status} /> checked {when(health.checkedAt)}
          </dd>
          {health.hint ? (
            <>
              <dt>Hint</dt>
              <dd>{health.hint}</dd>
            </>
          ) : null}
          {health.permissions?.denied.length ? (
            <>
              <dt>Denied actions</dt>
              <dd>
                <ul>
                  {health.permissions.denied.map((denied) => (
                    <li key={denied.action}>
                      <code>{denied.action}</code> ({denied.cause})
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          ) : null}
          <dt>Template version</dt>
          <dd>
            {health.templateVersion ?? 'unknown'}
            {health.outdated ? (
              <>
                {' '}
                — outdated.{' '}
                {report?.memberTemplates?.update ? <span>{report.memberTemplates.update}</span> : null}
              </>
            ) : null}
          </dd>
        </dl>
      ) : (
        <p>Not checked yet.</p>
      )}
    </>
  );
}
