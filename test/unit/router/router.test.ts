import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { forwardedEventOf, type SandboxChange } from '../../../lambdas/adapters/sandbox/forwarded-events';
import { SandboxOrganization } from '../../../lambdas/adapters/sandbox/sandbox-organization';
import { NotFoundError } from '../../../lambdas/core/errors';
import type { SyncRequest } from '../../../lambdas/ports/syncs';
import type { RoutedIntegration, RoutingPort } from '../../../lambdas/router/ports';
import { makeRouter, type RouterMetric } from '../../../lambdas/router/service';
import { routingOf } from '../../../lambdas/router/targets';
import { mergeFollowUp } from '../../../lambdas/sync/targets';
import { ingressEventSchema } from '../../../schemas/ingress';
import { sandboxOrgFixtureSchema } from '../../../schemas/sandbox-org';
import { type SyncTargets, syncTargets } from '../../../schemas/sync';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`test/fixtures/events/${name}.json`, 'utf8')) as Record<string, unknown>;
}

/** The Lambda request id of the router's invocation. */
const INVOCATION_ID = 'c3a1f8e2-5b7d-4e90-8a61-2d4f9b0e7c15';

/** Every numeric management account of the samples is registered, once per tenant. */
const REGISTERED = ['111111111111', '111122223333', '123456789012', '307578594326'];

function world({ failSync }: { failSync?: Error } = {}) {
  const sightings = new Set<string>();
  const requests: SyncRequest[] = [];
  const metrics: RouterMetric[] = [];
  const routing: RoutingPort = {
    integrationsOf: async (_partition, accountId) =>
      REGISTERED.includes(accountId) ? [{ tenantId: 't1', integrationId: `int-${accountId}` }] : [],
    seen: async (target: RoutedIntegration, eventId: string) =>
      sightings.has(`${target.integrationId}/${eventId}`),
    remember: async (target, eventId) => void sightings.add(`${target.integrationId}/${eventId}`),
  };
  const router = makeRouter({
    routing,
    partition: 'aws',
    metrics: { count: (metric) => metrics.push(metric) },
    syncs: {
      requestSync: async (request) => {
        if (failSync) throw failSync;
        requests.push(request);
        return { runId: `run-${requests.length}`, coalesced: requests.length > 1 };
      },
    },
  });
  return { router, requests, metrics, sightings };
}

const named = syncTargets;

describe('the ingress router, on sample events', () => {
  it.each<[string, SyncTargets | null]>([
    ['MoveAccount.sea-captured', named({ accounts: ['444455556666'] })],
    ['MoveAccount', named({ accounts: ['999999999999'] })],
    ['CreateAccountResult', named({ accounts: ['444455556666'] })],
    ['AccountJoinedOrganization', named({ accounts: ['444455556666'] })],
    ['CreateOrganizationalUnit.cloudtrail-log-entry', named({ containers: ['r-a1b2'] })],
    ['UpdateOrganizationalUnit', named({ ous: ['ou-ab12-11111111'] })],
    ['DeleteOrganizationalUnit', named({ ous: ['ou-ab12-22222222'] })],
    ['CloseAccount', named({ accounts: ['555555555555'] })],
    ['CloseAccountResult', named({ accounts: ['555555555555'] })],
    ['RemoveAccountFromOrganization', named({ accounts: ['777788889999'] })],
    ['AccountDepartedOrganization', named({ accounts: ['777788889999'] })],
    ['PutAccountName', named({ accounts: ['444455556666'] })],
    ['TagResource', named({ tagged: ['444455556666'] })],
    ['RegionOptInStatusChange.ENABLED', named({ regionsChanged: ['444455556666'] })],
    ['RegionOptInStatusChange.DISABLED', named({ regionsChanged: ['444455556666'] })],
    // What cannot be placed reads the whole organization: a handshake names no account, the
    // tutorial's root id is a placeholder, and the third-party CreateAccountResult carries the
    // literal "INSERT_ACCOUNT_ID". (The ADF MoveAccount's destination is not a valid OU id, but
    // only its account is read again.)
    ['AcceptHandshake', null],
    ['CreateOrganizationalUnit', null],
    ['CreateAccountResult.nuvibit-envelope', null],
  ])('%s starts a sync of the right targets', async (name, targets) => {
    const { router, requests } = world();

    const outcome = await router.route(fixture(name), INVOCATION_ID);

    expect(outcome).toMatchObject({ outcome: 'routed', duplicates: 0 });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ trigger: 'event', confirmDeletions: false, tenantId: 't1' });
    expect(requests[0]?.targets).toEqual(targets);
  });

  it.each([
    ['AttachPolicy', 'a failed call'],
    ['LeaveOrganization', 'a failed call (AccessDenied)'],
    ['CreateAccountResult.FAILED', 'a failed account creation'],
    ['InviteAccountToOrganization', 'an invitation not yet accepted'],
    ['CreateAccount', 'the call whose result event follows'],
    ['RegionOptInStatusChange.ENABLING', 'an opt-in that has not ended'],
  ])('%s changes nothing: %s', async (name) => {
    const { router, requests, metrics } = world();

    await expect(router.route(fixture(name), INVOCATION_ID)).resolves.toEqual({ outcome: 'ignored' });
    expect(requests).toHaveLength(0);
    expect(metrics).toEqual(['IgnoredEvents']);
  });

  it('ignores an opt-in that names no account: there is nothing to read again', async () => {
    const { router, requests } = world();
    const optIn = fixture('RegionOptInStatusChange.ENABLED');

    const outcome = await router.route(
      { ...optIn, detail: { regionName: 'eu-south-1', status: 'ENABLED' } },
      INVOCATION_ID,
    );

    expect(outcome).toEqual({ outcome: 'ignored' });
    expect(requests).toHaveLength(0);
  });

  it('drops and counts a malformed event without failing, so nothing reaches the dead-letter queue', async () => {
    const { router, requests, metrics } = world();
    const broken = [
      fixture('CreateManagedAccount'), // the documented placeholder account "XXXXXXXXXXXX"
      fixture('UpdateManagedAccount'),
      { ...fixture('RegionOptInStatusChange.ENABLED'), source: 'aws.organizations' },
      { ...fixture('CloseAccount'), detail: 'not an object' },
      { ...fixture('CloseAccount'), source: 'evil.source' },
      null,
      'text',
      [],
    ];

    for (const event of broken)
      await expect(router.route(event, INVOCATION_ID)).resolves.toEqual({ outcome: 'malformed' });
    expect(requests).toHaveLength(0);
    expect(metrics).toEqual(broken.map(() => 'MalformedEvents'));
  });

  it('drops and counts an event from an account no integration has, without failing', async () => {
    const { router, requests, metrics } = world();

    const outcome = await router.route(
      { ...fixture('CloseAccount'), account: '999999999999' },
      INVOCATION_ID,
    );

    expect(outcome).toEqual({ outcome: 'unknown-account' });
    expect(requests).toHaveLength(0);
    expect(metrics).toEqual(['UnknownAccountEvents']);
  });

  it('starts one sync for a duplicate delivery', async () => {
    const { router, requests, metrics } = world();
    const event = fixture('RemoveAccountFromOrganization');

    await router.route(event, INVOCATION_ID);
    const again = await router.route(structuredClone(event), INVOCATION_ID);

    expect(requests).toHaveLength(1);
    expect(again).toEqual({ outcome: 'routed', runs: [], duplicates: 1 });
    expect(metrics).toEqual(['RoutedEvents', 'RoutedEvents', 'DuplicateEvents']);
  });

  it('reaches the same targets whatever the order: a move before the creation it follows', async () => {
    const create = fixture('CreateAccountResult');
    const move = fixture('MoveAccount.sea-captured');
    const inOrder = world();
    const reordered = world();

    for (const event of [create, move]) await inOrder.router.route(event, INVOCATION_ID);
    for (const event of [move, create]) await reordered.router.route(event, INVOCATION_ID);

    const merged = (requests: SyncRequest[]) =>
      requests.reduce(
        (followUp, request) =>
          mergeFollowUp(followUp, {
            trigger: 'event',
            confirmDeletions: false,
            targets: request.targets ?? null,
            correlationId: request.correlationId,
          }),
        null as ReturnType<typeof mergeFollowUp> | null,
      );
    const sorted = (targets: SyncTargets | null | undefined) =>
      targets && {
        containers: [...targets.containers].sort(),
        accounts: [...targets.accounts].sort(),
        ous: [],
      };
    expect(sorted(merged(reordered.requests)?.targets)).toEqual(sorted(merged(inOrder.requests)?.targets));
    expect(merged(inOrder.requests)?.targets?.accounts).toEqual(['444455556666']);
  });

  it.each([
    ['EventBridge’s id', 'MoveAccount', 'fb25e4d2-1c1b-c410-8eb6-5471160373aa'],
    [
      'CloudTrail’s event id when EventBridge’s is absent',
      'CloseAccount',
      '19fe4c10-f57e-4cb7-a2bc-6b5c30233592',
    ],
  ])('names the run it starts by the event: %s', async (_, name, id) => {
    const { router, requests } = world();

    await router.route(fixture(name), INVOCATION_ID);

    expect(requests.map((request) => request.correlationId)).toEqual([id]);
  });

  it('names the run by its own invocation when the event carries no id at all', async () => {
    const { router, requests } = world();
    const event = fixture('CloseAccount');
    const { eventID: _, ...detail } = event.detail as Record<string, unknown>;

    await router.route({ ...event, detail }, INVOCATION_ID);

    expect(requests.map((request) => request.correlationId)).toEqual([INVOCATION_ID]);
  });

  it('remembers no sighting when the sync does not start, so a redelivery can start it', async () => {
    const failing = world({ failSync: new Error('Step Functions is down') });
    const event = fixture('CloseAccount');

    await expect(failing.router.route(event, INVOCATION_ID)).rejects.toThrow('Step Functions is down');
    expect(failing.sightings.size).toBe(0);
  });

  it('skips an integration deleted since the index was read', async () => {
    const { router, sightings } = world({ failSync: new NotFoundError('The integration') });

    await expect(router.route(fixture('CloseAccount'), INVOCATION_ID)).resolves.toEqual({
      outcome: 'routed',
      runs: [],
      duplicates: 0,
    });
    expect(sightings.size).toBe(0);
  });
});

describe("the sandbox's CloudTrail events", () => {
  const fixtureOrg = sandboxOrgFixtureSchema.parse(parse(readFileSync('local/sandbox-org.yaml', 'utf8')));
  const organization = new SandboxOrganization(fixtureOrg, '123456789012');
  const ou = 'ou-ab12-11111111';
  const root = organization.rootId;

  it.each<[SandboxChange, Partial<SyncTargets>]>([
    [{ kind: 'ou-created', id: ou, name: 'New', parentId: root }, { containers: [root] }],
    [{ kind: 'ou-renamed', id: ou, name: 'Renamed' }, { ous: [ou] }],
    [{ kind: 'ou-deleted', id: ou }, { ous: [ou] }],
    [{ kind: 'account-created', id: '444455556666', name: 'new' }, { accounts: ['444455556666'] }],
    [{ kind: 'account-moved', id: '444455556666', from: root, to: ou }, { accounts: ['444455556666'] }],
    [{ kind: 'account-closed', id: '444455556666' }, { accounts: ['444455556666'] }],
    [{ kind: 'account-removed', id: '444455556666' }, { accounts: ['444455556666'] }],
    [{ kind: 'tagged', id: '444455556666', tags: { team: 'platform' } }, { tagged: ['444455556666'] }],
    [{ kind: 'tagged', id: '444455556666', tags: { team: null } }, { tagged: ['444455556666'] }],
    [{ kind: 'tagged', id: ou, tags: { team: 'platform' } }, { tagged: [ou] }],
    [
      { kind: 'region-opt-in', id: '444455556666', region: 'eu-south-1', status: 'DISABLED' },
      { regionsChanged: ['444455556666'] },
    ],
    [
      { kind: 'managed-account-vended', id: '444455556666', name: 'vended', ouId: ou },
      { accounts: ['444455556666'], containers: [ou] },
    ],
  ])('%o arrives as AWS would send it, and names the right targets', (change, targets) => {
    const event = ingressEventSchema.parse(forwardedEventOf(organization, change));

    expect(event.account).toBe(organization.managementAccountId);
    expect(routingOf(event)).toEqual({ action: 'sync', targets: named(targets) });
  });

  it('sends a vend by Account Factory from Control Tower, and a failed one changes nothing', () => {
    const vended = forwardedEventOf(organization, {
      kind: 'managed-account-vended',
      id: null,
      name: 'x',
      ouId: ou,
    });
    const event = ingressEventSchema.parse(vended);

    expect(event).toMatchObject({
      source: 'aws.controltower',
      detail: { eventName: 'CreateManagedAccount' },
    });
    expect(routingOf(event)).toEqual({ action: 'ignore', reason: 'Control Tower did not finish' });
  });
});

describe("Control Tower's OU registration", () => {
  const registration = (eventName: string, status: Record<string, unknown>) =>
    ingressEventSchema.parse({
      ...fixture('CreateManagedAccount'),
      account: '123456789012',
      detail: {
        ...(fixture('CreateManagedAccount').detail as Record<string, unknown>),
        eventName,
        serviceEventDetails: { [`${eventName[0]?.toLowerCase()}${eventName.slice(1)}Status`]: status },
      },
    });
  const ou = { organizationalUnitName: 'Workloads', organizationalUnitId: 'ou-ab12-33333333' };

  it.each(['RegisterOrganizationalUnit', 'DeregisterOrganizationalUnit'])(
    '%s reads the OU it names again',
    (eventName) => {
      expect(routingOf(registration(eventName, { organizationalUnit: ou, state: 'SUCCEEDED' }))).toEqual({
        action: 'sync',
        targets: named({ ous: ['ou-ab12-33333333'] }),
      });
    },
  );

  it('changes nothing when the registration failed', () => {
    expect(
      routingOf(registration('RegisterOrganizationalUnit', { organizationalUnit: ou, state: 'FAILED' })),
    ).toEqual({ action: 'ignore', reason: 'Control Tower did not finish' });
  });

  it('reads the whole organization when the OU it names is not one', () => {
    const status = { organizationalUnit: { organizationalUnitId: 'XXXX' }, state: 'SUCCEEDED' };
    expect(routingOf(registration('RegisterOrganizationalUnit', status))).toEqual({
      action: 'sync',
      targets: null,
    });
  });
});
