import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { CONSOLE_DIR, CONSOLE_PATH, CONSOLE_VITE_CONFIG } from '../../local/console';
import type { LocalRuntime } from '../../local/runtime';
import type { Integration } from '../../schemas/api/integrations';
import { localApi } from '../fixtures/local-api';
import { startTestRuntime } from '../fixtures/test-runtime';

/**
 * The console in a real browser (Debian's chromium, driven by playwright-core) against the local
 * runtime: the whole wizard on the sandbox organization, the tree, a move seen in the tree and in
 * Activity, edits with a concurrent change, a held account, and a deletion; then what an org
 * member and another tenant may see. axe checks every page on the way. With SCREENSHOTS_DIR set
 * (`npm run screenshots`), each page is saved there too.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.SCREENSHOTS_DIR;
const NETWORK = '210000005065';
const SECURITY_OU = 'ou-k3v9-s3cur1ty';
const INFRASTRUCTURE_OU = 'ou-k3v9-1nfra001';
const SANDBOX_OU = 'ou-k3v9-sandb0x0';
const STANDALONE_ACCOUNT = '310000000017';
const WAIT = { timeout: 30_000 };

jest.setTimeout(240_000);

let runtime: LocalRuntime;
let browser: Browser;
let page: Page;
const api = localApi(() => runtime);
let integrationId: string;

beforeAll(async () => {
  if (!existsSync(path.join(CONSOLE_DIR, 'index.html'))) {
    execFileSync('npx', ['vite', 'build', '--config', CONSOLE_VITE_CONFIG, '--logLevel', 'warn'], {
      stdio: 'inherit',
    });
  }
  [runtime, browser] = await Promise.all([
    startTestRuntime(),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
  ]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** axe on the page as it stands: no serious or critical violation, each named with its nodes. */
async function accessible(name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) => `${name}: ${violation.id} at ${violation.nodes.map((node) => node.target).join(' ')}`,
    );
  expect(serious).toEqual([]);
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function signInAs(label: string): Promise<void> {
  await page.goto(`${runtime.url}${CONSOLE_PATH}`);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) await signOut.click();
  await page.getByRole('button', { name: label }).click();
  await page.getByRole('heading', { name: 'Integrations' }).waitFor();
}

/** Polls until `check` holds, as a person would look again. */
async function until(check: () => Promise<boolean>, timeoutMs = WAIT.timeout): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const next = () => page.getByRole('button', { name: 'Next' }).click();

/** Presses Tab until `target` has the focus, as a keyboard user moves through the page. */
async function tabTo(target: Locator): Promise<void> {
  await target.waitFor(WAIT);
  for (let presses = 0; presses < 200; presses += 1) {
    if (await target.evaluate((element) => element.matches(':focus'))) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reaches ${target}`);
}
const treeItem = (name: string) => page.getByRole('treeitem', { name: new RegExp(`^(Folder )?${name}\\b`) });

async function sandbox(method: string, route: string, body?: unknown): Promise<unknown> {
  const answer = await api.sandbox(method, route, body);
  expect(answer.status).toBeLessThan(300);
  return answer.body;
}

describe('the console, as the tenant owner', () => {
  it('shows the sign-in page with a button per persona', async () => {
    await page.goto(`${runtime.url}${CONSOLE_PATH}`);

    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The personas come from the runtime: the buttons follow the heading.
    await page.getByRole('button', { name: 'demo — tenant owner' }).waitFor();
    for (const label of ['demo — tenant owner', 'demo — member of org team-a', 'other — tenant owner']) {
      expect(await page.getByRole('button', { name: label }).count()).toBe(1);
    }
    await accessible('sign-in');
    const unknown = await fetch(`${runtime.url}/local/sign-in`, {
      method: 'POST',
      body: JSON.stringify({ persona: 'root' }),
    });
    expect(unknown.status).toBe(400);
  });

  it('connects the sandbox organization through the whole wizard, with the keyboard where it counts', async () => {
    await signInAs('demo — tenant owner');
    await page.getByText('No integration yet').waitFor();
    await accessible('integrations-empty');

    await page.getByRole('button', { name: 'New integration' }).click();
    await page.getByRole('textbox', { name: 'Handle', exact: true }).fill('acme');
    await accessible('wizard-1-kind');
    await next();
    const externalId = (await page.getByTestId('external-id').textContent()) ?? '';
    expect(externalId).toMatch(/^demo:/);
    expect(await page.getByRole('link', { name: 'Launch stack' }).getAttribute('href')).toContain(
      encodeURIComponent(externalId),
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download management-account-role.yaml' }).click(),
    ]);
    const yaml = await readFile((await download.path()) ?? '', 'utf8');
    expect(yaml).toContain(externalId);
    expect(
      await page.getByRole('listitem').filter({ hasText: 'management-account-role.yaml' }).textContent(),
    ).toMatch(/\(version \d+\)/);
    const managementAccountId = runtime.sandbox?.managementAccountId;
    await sandbox('POST', '/roles', {
      accountId: managementAccountId,
      roleName: 'OrgConnectionsDiscovery',
      externalId,
    });
    await page
      .getByRole('textbox', { name: 'Role ARN' })
      .fill(`arn:aws:iam::${managementAccountId}:role/OrgConnectionsDiscovery`);
    await accessible('wizard-2-management-access');
    await next();
    // The wizard goes on only when the test passed.
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The role passed every check.').waitFor(WAIT);
    expect(await page.getByRole('list', { name: 'Role test checks' }).getByText('passed').count()).toBe(8);
    await accessible('wizard-3-test-connection');
    await next();
    expect(await page.getByRole('textbox', { name: 'Member role name', exact: true }).inputValue()).toBe(
      'OrgConnectionsReadOnly',
    );
    await accessible('wizard-4-member-access');
    await next();
    await page.getByRole('textbox', { name: 'Handle prefix' }).fill('acme_');
    await page.getByRole('group', { name: 'Regions' }).getByRole('checkbox', { name: 'eu-west-1' }).check();
    await page
      .getByRole('group', { name: 'New accounts' })
      .getByRole('radio', { name: 'Hold for approval' })
      .check();
    await page.getByRole('textbox', { name: 'Leave out these OUs' }).fill(SANDBOX_OU);
    await page.getByRole('checkbox', { name: 'Leave out suspended and closing accounts' }).check();
    await accessible('wizard-5-settings');
    await next();
    await page
      .getByRole('group', { name: 'Share with' })
      .getByRole('radio', { name: 'All workspaces' })
      .check();
    await accessible('wizard-6-share-with');
    await next();
    await accessible('wizard-7-create');
    // A double click sends the same Idempotency-Key twice: one integration.
    await page.getByRole('button', { name: 'Create integration' }).dblclick();

    await page.getByRole('heading', { name: 'acme', level: 1 }).waitFor(WAIT);
    const listed = (await api.call({ tenantId: 'demo' }, 'GET', '/v1/integrations')).body as {
      items: Integration[];
    };
    expect(
      listed.items.map((item) => [item.handle, item.regions, item.newAccounts, item.permissions]),
    ).toEqual([['acme', ['us-east-1', 'eu-west-1'], 'hold', { share: 'all' }]]);
    expect(listed.items[0]?.filters).toEqual({
      organizationalUnits: { include: [], exclude: [SANDBOX_OU] },
      accounts: { include: [], exclude: [] },
      skipSuspended: true,
      accountTags: {},
      excludeAccountTags: {},
    });
    integrationId = listed.items[0]?.id ?? '';
  });

  it('shows the tree as the first sync fills it, and its folders open with the keyboard', async () => {
    await treeItem('Infrastructure').waitFor(WAIT);
    await runtime.settled();
    // The scope filters: no Sandbox OU, no suspended account.
    expect(await treeItem('Sandbox').count()).toBe(0);
    expect(await treeItem('closed-2023').count()).toBe(0);
    const infrastructure = treeItem('Infrastructure');
    expect(await infrastructure.getAttribute('aria-expanded')).toBe('false');
    await infrastructure.focus();
    await page.keyboard.press('ArrowRight');

    await treeItem('network').waitFor();
    expect(await infrastructure.getAttribute('aria-expanded')).toBe('true');
    expect(await treeItem('network').getAttribute('aria-level')).toBe('2');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Identity', level: 2 }).waitFor();
    await accessible('integration');
  });

  it('moves an account in the tree and in Activity when it moves in the organization', async () => {
    await sandbox('POST', `/accounts/${NETWORK}/move`, { destinationParentId: SECURITY_OU });
    await runtime.settled();

    // Only Security is open: the account is on show only if it is in there now.
    const infrastructure = treeItem('Infrastructure');
    await infrastructure.focus();
    await page.keyboard.press('ArrowLeft');
    expect(await infrastructure.getAttribute('aria-expanded')).toBe('false');
    const security = treeItem('Security');
    await security.focus();
    await page.keyboard.press('ArrowRight');
    const moved = treeItem('network');
    await moved.waitFor(WAIT);
    expect(await moved.getAttribute('aria-level')).toBe('2');

    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    const entry = page.getByRole('listitem').filter({ hasText: `network (${NETWORK}): changed parentId` });
    await entry.waitFor(WAIT);
    expect(await page.getByRole('listitem').first().textContent()).toMatch(/^#\d+/);
    await accessible('activity');
    // Live: a change made while the page is open appears without a reload.
    await sandbox('POST', `/accounts/${NETWORK}/move`, { destinationParentId: INFRASTRUCTURE_OU });
    await page
      .getByRole('listitem')
      .filter({ hasText: `network (${NETWORK}): changed parentId` })
      .nth(1)
      .waitFor(WAIT);
    await page.getByRole('link', { name: 'Back to the integration' }).click();
  });

  it("edits a connection's handle, and offers Reload when someone else changed it first", async () => {
    await runtime.settled();
    await page.getByRole('searchbox', { name: /Search by account id/ }).fill(NETWORK);
    await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: 'network' }).click();
    const panel = page.getByRole('complementary');
    const handle = panel.getByRole('textbox', { name: 'Handle', exact: true });
    await handle.fill('acme_network_hub');
    await panel.getByRole('button', { name: 'Save' }).click();
    await panel.getByText('Saved.').waitFor();
    await accessible('node-panel');

    // Someone else changes it through the API; this panel still holds the version before.
    const connection = `/v1/integrations/${integrationId}/connections/${NETWORK}`;
    const current = (await api.call({ tenantId: 'demo' }, 'GET', connection)).body as { version: number };
    const theirs = await api.call(
      { tenantId: 'demo' },
      'PATCH',
      connection,
      { handle: 'acme_network_theirs' },
      {
        'if-match': `"${current.version}"`,
      },
    );
    expect(theirs.status).toBe(200);
    await handle.fill('acme_network_mine');
    await panel.getByRole('button', { name: 'Save' }).click();

    await panel.getByText('changed since you opened it').waitFor();
    await panel.getByRole('button', { name: 'Reload' }).click();
    await until(async () => (await handle.inputValue()) === 'acme_network_theirs');
  });

  it('holds an account that joins, and approves it', async () => {
    const joined = (await sandbox('POST', '/accounts', {
      name: 'new-joiner',
      email: 'new-joiner@example.com',
      parentId: SECURITY_OU,
    })) as { id: string };
    await runtime.settled();

    const approve = page.getByRole('button', { name: 'Approve new-joiner' });
    await approve.waitFor(WAIT);
    await accessible('held-accounts');
    await approve.click();

    await page.getByRole('heading', { name: 'Held accounts' }).waitFor({ state: 'detached', ...WAIT });
    const connection = (
      await api.call(
        { tenantId: 'demo' },
        'GET',
        `/v1/integrations/${integrationId}/connections/${joined.id}`,
      )
    ).body as { held: boolean };
    expect(connection.held).toBe(false);
  });

  it('shows who changed what in the audit log, beside Activity', async () => {
    await page.getByRole('main').getByRole('link', { name: 'Audit', exact: true }).click();

    await page.getByRole('cell', { name: 'connection.approved' }).waitFor(WAIT);
    await page
      .getByRole('cell', { name: 'handle: "acme_network_hub" → "acme_network_theirs"' })
      .waitFor(WAIT);
    await page.getByRole('cell', { name: 'integration.created' }).waitFor(WAIT);
    await accessible('audit');
    await page.getByRole('link', { name: 'Back to the integration' }).click();
  });

  it('shows a workspace the connections shared with it', async () => {
    await page.getByRole('link', { name: 'Workspaces' }).click();
    await page.getByRole('textbox', { name: 'Workspace id' }).fill('ws-1');
    await page.getByRole('button', { name: 'Show connections' }).click();

    await page.getByRole('cell', { name: 'acme_network_theirs' }).waitFor(WAIT);
    await accessible('workspaces');
  });
});

describe('the console, with the keyboard alone', () => {
  it('connects a single account, opens it and deletes it without the mouse', async () => {
    await page.goto(`${runtime.url}${CONSOLE_PATH}`);
    await tabTo(page.getByRole('button', { name: 'demo — tenant owner' }));
    await page.keyboard.press('Enter');
    await tabTo(page.getByRole('button', { name: 'New integration' }));
    await page.keyboard.press('Enter');
    // A radio group is one Tab stop; the arrow keys pick within it.
    await tabTo(page.getByRole('radio', { name: 'Organization' }));
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'Single account' }).isChecked()).toBe(true);
    await tabTo(page.getByRole('textbox', { name: 'Handle', exact: true }));
    await page.keyboard.type('solo');
    const onward = async () => {
      await tabTo(page.getByRole('button', { name: 'Next' }));
      await page.keyboard.press('Enter');
    };
    await onward();

    const externalId = (await page.getByTestId('external-id').textContent()) ?? '';
    const { roleArn } = (await sandbox('POST', '/roles', {
      accountId: STANDALONE_ACCOUNT,
      roleName: 'OrgConnectionsAccount',
      externalId,
    })) as { roleArn: string };
    await tabTo(page.getByRole('textbox', { name: 'Role ARN' }));
    await page.keyboard.type(roleArn);
    await onward();
    await tabTo(page.getByRole('button', { name: 'Test connection' }));
    await page.keyboard.press('Enter');
    await page.getByText('The role passed every check.').waitFor(WAIT);
    await onward();
    await onward(); // member access: an optional read-only role
    await onward(); // settings: the defaults
    await onward(); // share with: no workspaces
    await tabTo(page.getByRole('button', { name: 'Create integration' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'solo', level: 1 }).waitFor(WAIT);
    await runtime.settled();

    await tabTo(page.getByRole('button', { name: 'Delete integration' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await tabTo(dialog.getByRole('textbox', { name: 'Type the handle to confirm' }));
    await page.keyboard.type('solo');
    await tabTo(dialog.getByRole('button', { name: 'Delete integration' }));
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await runtime.settled();
    const listed = (await api.call({ tenantId: 'demo' }, 'GET', '/v1/integrations')).body as {
      items: Integration[];
    };
    expect(listed.items.map((item) => item.handle)).not.toContain('solo');
  });
});

describe('the console, as others', () => {
  it('does not let an org member manage the tenant-level integration', async () => {
    await signInAs('demo — member of org team-a');
    expect(await page.getByRole('link', { name: 'acme' }).count()).toBe(0);

    await page.goto(`${runtime.url}${CONSOLE_PATH}#/integrations/${integrationId}`);
    await page.getByRole('alert').filter({ hasText: 'FORBIDDEN' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
  });

  it('does not show another tenant the integration at all', async () => {
    await signInAs('other — tenant owner');
    await page.getByText('No integration yet').waitFor();

    await page.goto(`${runtime.url}${CONSOLE_PATH}#/integrations/${integrationId}`);
    await page.getByRole('alert').filter({ hasText: 'NOT_FOUND' }).waitFor();
  });
});

describe('the console, deleting', () => {
  it('deletes the integration once its handle is typed', async () => {
    await signInAs('demo — tenant owner');
    await page.getByRole('link', { name: 'acme' }).click();
    await page.getByRole('button', { name: 'Delete integration' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete integration' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Type the handle to confirm' }).fill('acme');
    await accessible('delete-dialog');
    await confirm.click();

    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await runtime.settled();
    const listed = (await api.call({ tenantId: 'demo' }, 'GET', '/v1/integrations')).body as {
      items: Integration[];
    };
    expect(listed.items).toEqual([]);
  });
});
