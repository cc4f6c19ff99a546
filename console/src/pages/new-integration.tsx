import { type ReactNode, useState } from 'react';
import {
  ApiError,
  api,
  type CreateIntegration,
  claimsOf,
  type Onboarding,
  ok,
  type Permissions,
  type RoleTestReport,
  type Scope,
  session,
} from '../api';
import { ActionButton, Choices, ErrorMessage, Loading, SHARE_CHOICES } from '../components';
import { navigate, useLoad } from '../hooks';
import {
  FILTER_FIELDS,
  type FilterDraft,
  filterSummary,
  filtersOf,
  listOf,
  NO_FILTERS,
} from '../scope-filters';
import { RoleTestChecks } from './role-test';

const STEPS = [
  'Kind, scope and handle',
  'Management access',
  'Test connection',
  'Member access',
  'Settings',
  'Share with',
  'Create',
] as const;

type Kind = 'organization' | 'account';
type Share = Permissions['share'];
type TemplateName = Onboarding['templates'][number]['name'];
interface Draft {
  kind: Kind;
  scopeKey: string;
  handle: string;
  roleArn: string;
  memberRoleName: string;
  fullMemberRoleName: string;
  readOnlyRoleArn: string;
  handlePrefix: string;
  regions: string[];
  options: string;
  newAccounts: 'include' | 'hold';
  filters: FilterDraft;
  share: Share;
  workspaceIds: string;
}

const KINDS = [
  ['organization', 'Organization'],
  ['account', 'Single account'],
] as const;

const FIRST_DRAFT: Draft = {
  kind: 'organization',
  scopeKey: 'tenant',
  handle: '',
  roleArn: '',
  memberRoleName: 'OrgConnectionsReadOnly',
  fullMemberRoleName: '',
  readOnlyRoleArn: '',
  handlePrefix: '',
  regions: ['us-east-1'],
  options: '{}',
  newAccounts: 'include',
  filters: NO_FILTERS,
  share: 'none',
  workspaceIds: '',
};

const scopeOf = (key: string): Scope =>
  key === 'tenant' ? { level: 'tenant' } : { level: 'org', orgId: key.slice('org:'.length) };
/**
 * The seven steps of connecting an organization or an account: the role is deployed with the
 * scope's External ID, tested, and only then registered. "Create integration" sends one
 * Idempotency-Key for the whole wizard, so a second click creates nothing more.
 */
export function NewIntegrationPage() {
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft>(FIRST_DRAFT);
  const [report, setReport] = useState<RoleTestReport | null>(null);
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const change = (patch: Partial<Draft>) => setDraft((before) => ({ ...before, ...patch }));
  const orgIds = claimsOf(session.get()?.token ?? '').orgIds;

  const canGoOn = [
    /^[a-z][a-z0-9_]{0,62}$/.test(draft.handle),
    draft.roleArn.trim() !== '',
    report?.ok === true,
    draft.kind === 'account' || draft.memberRoleName.trim() !== '',
    draft.regions.length > 0 && parsedOptions(draft.options) !== null && filtersOf(draft.filters) !== null,
    draft.share !== 'selected' || listOf(draft.workspaceIds).length > 0,
    true,
  ][step];

  return (
    <>
      <h1>New integration</h1>
      <nav aria-label="Wizard steps">
        <ol className="steps">
          {STEPS.map((name, index) => (
            <li key={name} aria-current={index === step ? 'step' : undefined}>
              {name}
            </li>
          ))}
        </ol>
      </nav>
      <section aria-labelledby="step-title" className="card">
        <h2 id="step-title">
          Step {step + 1} of {STEPS.length}: {STEPS[step]}
        </h2>
        {step === 0 ? <KindStep draft={draft} change={change} orgIds={orgIds} /> : null}
        {step === 1 ? <ManagementStep draft={draft} change={change} /> : null}
        {step === 2 ? (
          <TestStep
            draft={draft}
            report={report}
            onReport={setReport}
            onChangeRole={() => {
              setReport(null);
              setStep(1);
            }}
          />
        ) : null}
        {step === 3 ? <MemberStep draft={draft} change={change} /> : null}
        {step === 4 ? <SettingsStep draft={draft} change={change} /> : null}
        {step === 5 ? <ShareStep draft={draft} change={change} /> : null}
        {step === 6 ? <CreateStep draft={draft} idempotencyKey={idempotencyKey} /> : null}
      </section>
      <div className="wizard-buttons">
        <button type="button" disabled={step === 0} onClick={() => setStep(step - 1)}>
          Back
        </button>
        {step < STEPS.length - 1 ? (
          <button type="button" className="primary" disabled={!canGoOn} onClick={() => setStep(step + 1)}>
            Next
          </button>
        ) : null}
      </div>
    </>
  );
}

interface StepProps {
  readonly draft: Draft;
  readonly change: (patch: Partial<Draft>) => void;
}

function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is `children`, inside the label */}
      <label>
        <span>{label}</span>
        {children}
      </label>
      {hint ? <small>{hint}</small> : null}
    </div>
  );
}

function KindStep({ draft, change, orgIds }: StepProps & { orgIds: string[] }) {
  return (
    <>
      <Choices
        legend="Kind"
        name="kind"
        options={KINDS}
        value={draft.kind}
        onChange={(kind) => change({ kind })}
      />
      <Field label="Scope" hint="Who may see and manage it: the whole tenant, or one of your orgs.">
        <select value={draft.scopeKey} onChange={(event) => change({ scopeKey: event.target.value })}>
          <option value="tenant">The tenant</option>
          {orgIds.map((orgId) => (
            <option key={orgId} value={`org:${orgId}`}>
              Org {orgId}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Handle" hint="a-z, 0-9 and _, starting with a letter; unique in the tenant.">
        <input
          value={draft.handle}
          onChange={(event) => change({ handle: event.target.value })}
          autoComplete="off"
          required
        />
      </Field>
    </>
  );
}

function ManagementStep({ draft, change }: StepProps) {
  const scope = draft.scopeKey;
  const onboarding = useLoad(
    () => ok(api().GET('/v1/aws/onboarding', { params: { query: { scope } } })),
    `onboarding ${scope}`,
  );
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState(false);
  const template = draft.kind === 'organization' ? 'management-account-role' : 'single-account-role';

  return (
    <Loading data={onboarding.data} error={onboarding.error} what="the External ID">
      {(data: Onboarding) => {
        const source = data.templates.find((entry) => entry.name === template);
        const launch = data.quickCreateLinks.find((link) => link.template === template);
        return (
          <>
            <p>
              Deploy the role in the {draft.kind === 'organization' ? 'management' : ''} account with this
              External ID. It trusts account <code>{data.trustedAccountId}</code> only with it.
            </p>
            <p className="external-id">
              External ID: <code data-testid="external-id">{data.externalId}</code>{' '}
              <span className="muted">(version {data.externalIdVersion})</span>
            </p>
            <button
              type="button"
              onClick={async () => {
                await navigator.clipboard?.writeText(data.externalId).catch(() => undefined);
                setCopied(true);
              }}
            >
              Copy External ID
            </button>{' '}
            <span role="status">{copied ? 'Copied.' : ''}</span>
            {confirming ? (
              <fieldset className="confirm">
                <legend>Rotate the External ID?</legend>
                <p>
                  Roles deployed with the current External ID keep working for the integrations that use them;
                  new roles need the new one.
                </p>
                <ActionButton
                  label="Rotate now"
                  run={async () => {
                    await ok(api().POST('/v1/aws/onboarding/external-id', { params: { query: { scope } } }));
                    setConfirming(false);
                    onboarding.reload();
                  }}
                />
                <button type="button" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
              </fieldset>
            ) : (
              <button type="button" onClick={() => setConfirming(true)}>
                Rotate External ID…
              </button>
            )}
            <h3>The template</h3>
            <ul>
              {source ? (
                <li>
                  <TemplateDownload name={template} scope={scope} />{' '}
                  <span className="muted">{source.description}</span>
                </li>
              ) : null}
              {launch ? (
                <li>
                  <a href={launch.url} target="_blank" rel="noreferrer">
                    Launch stack
                  </a>{' '}
                  <span className="muted">in the CloudFormation console, with the External ID filled in</span>
                </li>
              ) : null}
            </ul>
            <Field label="Role ARN" hint="The role the stack created, from its outputs.">
              <input
                value={draft.roleArn}
                onChange={(event) => change({ roleArn: event.target.value.trim() })}
                placeholder="arn:aws:iam::123456789012:role/OrgConnectionsDiscovery"
                autoComplete="off"
              />
            </Field>
          </>
        );
      }}
    </Loading>
  );
}

/**
 * A template as the API renders it for the scope (its values as parameter defaults), with its
 * version. A plain link cannot carry the bearer token, so the file is fetched and handed over.
 */
function TemplateDownload({
  name,
  scope,
  roleName,
}: {
  name: TemplateName;
  scope: string;
  roleName?: string;
}) {
  const manifest = useLoad(() => ok(api().GET('/v1/aws/permissions')), 'permissions');
  const version = manifest.data?.templateVersions[name];
  return (
    <>
      <ActionButton
        className="link"
        label={`Download ${name}.yaml`}
        run={async () => {
          const yaml = await ok(
            api().GET('/v1/aws/templates/{name}', {
              params: { path: { name }, query: { scope, ...(roleName ? { roleName } : {}) } },
              parseAs: 'text',
            }),
          );
          const link = document.createElement('a');
          link.href = URL.createObjectURL(new Blob([yaml], { type: 'application/yaml' }));
          link.download = `${name}.yaml`;
          link.click();
          URL.revokeObjectURL(link.href);
        }}
      />{' '}
      {version === undefined ? null : <span className="muted">(version {version})</span>}
    </>
  );
}

function testRequest(draft: Draft) {
  const scope = scopeOf(draft.scopeKey);
  return draft.kind === 'organization'
    ? { kind: 'organization' as const, scope, roleArn: draft.roleArn, memberRoleName: draft.memberRoleName }
    : {
        kind: 'account' as const,
        scope,
        roleArn: draft.roleArn,
        ...(draft.readOnlyRoleArn ? { readOnlyRoleArn: draft.readOnlyRoleArn } : {}),
      };
}

function TestStep({
  draft,
  report,
  onReport,
  onChangeRole,
}: {
  draft: Draft;
  report: RoleTestReport | null;
  onReport: (report: RoleTestReport | null) => void;
  onChangeRole: () => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <p>
        We assume <code>{draft.roleArn}</code> with the External ID, make sure it refuses anyone without it,
        and check its permissions.
      </p>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          onReport(null);
          try {
            onReport(await ok(api().POST('/v1/aws/test-connection', { body: testRequest(draft) })));
          } catch (failure: unknown) {
            setError(failure);
            const failed = failure instanceof ApiError ? failure.details?.report : undefined;
            if (failed) onReport(failed as RoleTestReport);
          } finally {
            setBusy(false);
          }
        }}
      >
        Test connection
      </button>{' '}
      <button type="button" onClick={onChangeRole}>
        Change the role
      </button>
      <div aria-live="polite">
        {busy ? <p role="status">Testing…</p> : null}
        {report ? (
          <p className={report.ok ? 'passed' : 'failed'}>
            {report.ok ? 'The role passed every check.' : 'The role failed; fix what the checks say.'}
          </p>
        ) : null}
      </div>
      <ErrorMessage error={error} />
      {report ? <RoleTestChecks report={report} /> : null}
    </>
  );
}

function MemberStep({ draft, change }: StepProps) {
  const onboarding = useLoad(
    () => ok(api().GET('/v1/aws/onboarding', { params: { query: { scope: draft.scopeKey } } })),
    `onboarding ${draft.scopeKey}`,
  );
  if (draft.kind === 'account') {
    return (
      <Field label="Read-only role ARN (optional)" hint="A second role in the same account, for read access.">
        <input
          value={draft.readOnlyRoleArn}
          onChange={(event) => change({ readOnlyRoleArn: event.target.value.trim() })}
          autoComplete="off"
        />
      </Field>
    );
  }
  const member = onboarding.data?.templates.find((entry) => entry.name === 'member-account-role');
  const events = onboarding.data?.quickCreateLinks.find(
    (link) => link.template === 'organization-events-forwarder',
  );
  return (
    <>
      <p>
        Every member account gets a role through a service-managed StackSet, deployed from the management
        account with the same External ID.
      </p>
      <ErrorMessage error={onboarding.error} />
      {member ? (
        <ul>
          <li>
            <TemplateDownload
              name="member-account-role"
              scope={draft.scopeKey}
              roleName={draft.memberRoleName}
            />{' '}
            <span className="muted">with the role name below as its default</span>
          </li>
          <li>
            The StackSet's template URL: <code>{member.sourceUrl}</code>
          </li>
          {events ? (
            <li>
              <a href={events.url} target="_blank" rel="noreferrer">
                Launch the events forwarder stack
              </a>{' '}
              <span className="muted">
                (optional): account and OU changes reach the mirror within seconds
              </span>
            </li>
          ) : null}
        </ul>
      ) : null}
      <Field label="Member role name" hint="The RoleName the StackSet deploys in every account.">
        <input
          value={draft.memberRoleName}
          onChange={(event) => change({ memberRoleName: event.target.value.trim() })}
          autoComplete="off"
        />
      </Field>
      <Field
        label="Full member role name (optional)"
        hint="A second member role with write permissions; without it, connections are read-only."
      >
        <input
          value={draft.fullMemberRoleName}
          onChange={(event) => change({ fullMemberRoleName: event.target.value.trim() })}
          autoComplete="off"
        />
      </Field>
    </>
  );
}

function parsedOptions(text: string): Record<string, string | number | boolean> | null {
  try {
    const value = JSON.parse(text || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

const NEW_ACCOUNTS = [
  ['include', 'Include'],
  ['hold', 'Hold for approval'],
] as const;

/** Which part of the organization the mirror holds: every filter narrows it. */
function ScopeFilters({
  filters,
  change,
}: {
  filters: FilterDraft;
  change: (patch: Partial<FilterDraft>) => void;
}) {
  return (
    <fieldset>
      <legend>Scope filters</legend>
      {FILTER_FIELDS.map(({ key, label, hint, valid }) => (
        <Field key={key} label={label} hint={hint}>
          <input
            value={filters[key]}
            onChange={(event) => change({ [key]: event.target.value })}
            aria-invalid={!valid(filters[key])}
            autoComplete="off"
          />
        </Field>
      ))}
      <label className="choice">
        <input
          type="checkbox"
          checked={filters.skipSuspended}
          onChange={(event) => change({ skipSuspended: event.target.checked })}
        />
        Leave out suspended and closing accounts
      </label>
    </fieldset>
  );
}

function SettingsStep({ draft, change }: StepProps) {
  const env = useLoad(() => ok(api().GET('/v1/aws/env')), 'env');
  return (
    <>
      <Field label="Handle prefix" hint="Put before each generated connection handle, e.g. acme_.">
        <input
          value={draft.handlePrefix}
          onChange={(event) => change({ handlePrefix: event.target.value.trim() })}
          autoComplete="off"
        />
      </Field>
      <Loading data={env.data} error={env.error} what="the Regions">
        {(data) => (
          <fieldset className="regions">
            <legend>Regions</legend>
            {data.regions.map((region) => (
              <label key={region} className="choice">
                <input
                  type="checkbox"
                  checked={draft.regions.includes(region)}
                  onChange={(event) =>
                    change({
                      regions: event.target.checked
                        ? [...draft.regions, region]
                        : draft.regions.filter((other) => other !== region),
                    })
                  }
                />
                {region}
              </label>
            ))}
          </fieldset>
        )}
      </Loading>
      <Field label="Options (JSON)" hint='Passed to the platform as they are, e.g. {"costReports": true}.'>
        <textarea
          value={draft.options}
          rows={3}
          onChange={(event) => change({ options: event.target.value })}
          aria-invalid={parsedOptions(draft.options) === null}
        />
      </Field>
      {draft.kind === 'organization' ? (
        <>
          <Choices
            legend="New accounts"
            name="new-accounts"
            options={NEW_ACCOUNTS}
            value={draft.newAccounts}
            onChange={(newAccounts) => change({ newAccounts })}
          />
          <ScopeFilters
            filters={draft.filters}
            change={(patch) => change({ filters: { ...draft.filters, ...patch } })}
          />
        </>
      ) : null}
    </>
  );
}

function ShareStep({ draft, change }: StepProps) {
  return (
    <Choices
      legend="Share with"
      name="share"
      options={SHARE_CHOICES}
      value={draft.share}
      onChange={(share) => change({ share })}
    >
      {draft.share === 'selected' ? (
        <Field label="Workspace ids (comma-separated)">
          <input
            value={draft.workspaceIds}
            onChange={(event) => change({ workspaceIds: event.target.value })}
            autoComplete="off"
          />
        </Field>
      ) : null}
    </Choices>
  );
}

function permissionsOf(draft: Draft): Permissions {
  if (draft.share === 'selected') return { share: 'selected', workspaceIds: listOf(draft.workspaceIds) };
  return { share: draft.share };
}

export function createRequest(draft: Draft): CreateIntegration {
  const settings = {
    scope: scopeOf(draft.scopeKey),
    handle: draft.handle,
    roleArn: draft.roleArn,
    regions: draft.regions,
    options: parsedOptions(draft.options) ?? {},
    permissions: permissionsOf(draft),
    ...(draft.handlePrefix ? { handlePrefix: draft.handlePrefix } : {}),
  };
  if (draft.kind === 'account') {
    return {
      kind: 'account',
      ...settings,
      ...(draft.readOnlyRoleArn ? { readOnlyRoleArn: draft.readOnlyRoleArn } : {}),
    };
  }
  const filters = filtersOf(draft.filters);
  return {
    kind: 'organization',
    ...settings,
    memberRoleName: draft.memberRoleName,
    newAccounts: draft.newAccounts,
    ...(draft.fullMemberRoleName ? { fullMemberRoleName: draft.fullMemberRoleName } : {}),
    // Untouched filters are left out, so the integration shows none.
    ...(filters && Object.values(draft.filters).some(Boolean) ? { filters } : {}),
  };
}

function CreateStep({ draft, idempotencyKey }: { draft: Draft; idempotencyKey: string }) {
  const request = createRequest(draft);
  return (
    <>
      <dl className="summary">
        <dt>Kind</dt>
        <dd>{draft.kind === 'organization' ? 'Organization' : 'Single account'}</dd>
        <dt>Handle</dt>
        <dd>{draft.handle}</dd>
        <dt>Role</dt>
        <dd>
          <code>{draft.roleArn}</code>
        </dd>
        <dt>Regions</dt>
        <dd>{draft.regions.join(', ')}</dd>
        <dt>Shared with</dt>
        <dd>{draft.share === 'selected' ? listOf(draft.workspaceIds).join(', ') : draft.share}</dd>
        {draft.kind === 'organization' ? (
          <>
            <dt>New accounts</dt>
            <dd>{draft.newAccounts === 'hold' ? 'Held for approval' : 'Included'}</dd>
            <dt>Scope filters</dt>
            <dd>{filterSummary(draft.filters)}</dd>
          </>
        ) : null}
      </dl>
      <ActionButton
        label="Create integration"
        className="primary"
        run={async () => {
          const created = await ok(
            api().POST('/v1/integrations', {
              body: request,
              params: { header: { 'Idempotency-Key': idempotencyKey } },
            }),
          );
          navigate(`/integrations/${created.id}`);
        }}
      />
    </>
  );
}
