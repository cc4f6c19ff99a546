import { api, type Integration, ok, type StatusReport, scopeLabel } from '../api';
import { Loading, StatusBadge, when } from '../components';
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
      <Loading data={list.data} error={list.error} what="integrations">
        {(rows) =>
          rows.length === 0 ? (
            <p>No integration yet. Connect an AWS Organization or an account with "New integration".</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Handle</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last sync</th>
                  <th scope="col">Folders / connections</th>
                  <th scope="col">Member roles</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ integration, report }) => (
                  <tr key={integration.id}>
                    <td>
                      <a href={`#/integrations/${integration.id}`}>{integration.handle}</a>
                    </td>
                    <td>{integration.kind === 'organization' ? 'Organization' : 'Single account'}</td>
                    <td>{scopeLabel(integration.scope)}</td>
                    <td>
                      <StatusBadge status={report?.status ?? integration.status} />
                    </td>
                    <td>{when(report?.lastRun?.finishedAt)}</td>
                    <td>{report ? `${report.counts.folders} / ${report.counts.connections}` : '—'}</td>
                    <td>{healthSummary(report)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loading>
    </>
  );
}

function healthSummary(report: StatusReport | null): string {
  const access = report?.memberAccess;
  if (!access) return 'not checked yet';
  const problems = access.denied + access.notDeployed + access.error;
  return `${access.ok} ok${problems ? `, ${problems} failing` : ''}${access.pendingDeployment ? `, ${access.pendingDeployment} pending` : ''}`;
}
