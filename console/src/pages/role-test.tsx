import type { RoleTestReport } from '../api';
import { StatusBadge } from '../components';

const CAUSES: Record<string, string> = {
  implicit: 'no statement allows it',
  explicit: 'a statement of the role denies it',
  organizations: 'an SCP or RCP denies it',
  boundary: 'the permissions boundary denies it',
};

/** A role test's report, check by check: its status, what it found, the hint and denied actions. */
export function RoleTestChecks({ report }: { report: RoleTestReport }) {
  return (
    <ol className="checks" aria-label="Role test checks">
      {report.checks.map((check) => (
        <li key={`${check.role}-${check.check}`}>
          <StatusBadge status={check.status} /> <strong>{check.check}</strong>
          {check.role === 'readOnlyRoleArn' ? ' (read-only role)' : ''}: {check.message}
          {check.hint ? <p className="hint">{check.hint}</p> : null}
          {check.details?.denied.length ? (
            <ul>
              {check.details.denied.map((denied) => (
                <li key={denied.action}>
                  <code>{denied.action}</code>: {CAUSES[denied.cause] ?? denied.cause}
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
      {report.outdated && report.updateUrl ? (
        <li>
          The role runs template v{report.templateVersion}, which is outdated:{' '}
          <a href={report.updateUrl} target="_blank" rel="noreferrer">
            update it
          </a>
          .
        </li>
      ) : null}
    </ol>
  );
}
