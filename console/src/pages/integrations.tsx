import { api, type Integration, ok, type StatusReport, scopeLabel } from '../api';
import { DataTable, StatusBadge, when } from '../components';
import { navigate, useLoad } from '../hooks';

/** Every integration the caller may see, each with its last sync, counts and member health. */
export function IntegrationsPage() {
  const list = useLoad(async () => {
    const items: Integration[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(api().GET('/v1/integrations', { params: { query: { limit: 100, cursor } } }));
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const reports = await Promise.all(
      items.map((integration) =>
        ok(api().GET('/v1/integrations/{id}/status', { params: { path: { id: integration.id } } })).catch(
          () => null,
        ),
      ),
    );
    return items.map((integration, index) => ({ integration, report: reports[index] ?? null }));
  }, 'integrations');

  return (
    <>
      <div className="title-row">
        <h1>Integrations</h1>
        <button type="button" className="primary" onClick={() => navigate('/new')}>
          New integration
        </button>
      </div>
      <DataTable
        data={list.data}
        error={list.error}
        what="integrations"
        empty='No integration yet. Connect an AWS Organization or an account with "New integration".'
        columns={['Handle', 'Kind', 'Scope', 'Status', 'Last sync', 'Folders / connections', 'Member roles']}
        rowKey={({ integration }) => integration.id}
        cells={({ integration, report }) => [
          <a key="handle" href={`#/integrations/${integration.id}`}>
            {integration.handle}
          </a>,
          integration.kind === 'organization' ? 'Organization' : 'Single account',
          scopeLabel(integration.scope),
          <StatusBadge key="status" status={report?.status ?? integration.status} />,
          when(report?.lastRun?.finishedAt),
          report ? `${report.counts.folders} / ${report.counts.connections}` : '—',
          healthSummary(report),
        ]}
      />
    </>
  );
}

function healthSummary(report: StatusReport | null): string {
  const access = report?.memberAccess;
  if (!access) return 'not checked yet';
  const problems = access.denied + access.notDeployed + access.error;
  return `${access.ok} ok${problems ? `, ${problems} failing` : ''}${access.pendingDeployment ? `, ${access.pendingDeployment} pending` : ''}`;
}
