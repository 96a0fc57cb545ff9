// The Users screens: an administrator invites a new account, whose owner
// follows the real invitation mail (caught by the SMTP catcher that
// start-server.sh runs), chooses a password and signs in; a supervisor sees
// only its facilities' accounts; two edits of one account at once end in a
// plain conflict, not a lost change.
import { APIRequestContext, expect, Page, test } from '@playwright/test';
import {
  accounts,
  expectAccessible,
  LoginPage,
  Mail,
  Mailbox,
  port,
  resetLink,
  ResetPasswordPage,
  shot,
  tenantUrl,
} from './pages';

const uma = accounts.acmeUma;
const hugo = accounts.acmeHugo;
const olga = accounts.acmeOlga;
const ben = accounts.acmeBen;

const isInvitation = (mail: Mail) => /\/reset-password#token=/.test(mail.text);

async function openUsers(page: Page) {
  await page.getByRole('navigation', { name: 'Users' }).getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(tenantUrl('acme', '/users'));
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
}

/** Calls acme's API as a script would (Node cannot resolve acme.localhost). */
const acmeApi = (request: APIRequestContext) => {
  const url = (path: string) => `http://127.0.0.1:${port}/api/v1${path}`;
  const headers = (token?: string) => ({
    Host: `acme.localhost:${port}`,
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
  });
  return {
    login: (username: string, password: string) =>
      request.post(url('/auth/login'), { headers: headers(), data: { username, password } }),
    get: (path: string, token: string) => request.get(url(path), { headers: headers(token) }),
    patch: (path: string, token: string, data: object) =>
      request.patch(url(path), { headers: headers(token), data }),
  };
};

const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('button', { name }) });

test('an administrator invites a user, who follows the mail, chooses a password and signs in', async ({ page }) => {
  test.setTimeout(60_000);
  const mailbox = new Mailbox();
  await new LoginPage(page).signInAs(uma);
  await openUsers(page);
  await expect(row(page, 'Olga Kern')).toContainText('olga');
  await expectAccessible(page);
  await page.screenshot({ path: shot('users'), fullPage: true });

  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Username')).toBeFocused();
  // Neither an email nor a password: the server says what it needs.
  await dialog.getByLabel('Username').fill('vera');
  await dialog.getByLabel('First name').fill('Vera');
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect(dialog.locator('#user-password-error')).toHaveText(
    'Give an email address (for an invitation) or a temporary password.',
  );
  await expect(dialog.locator('#user-username-error')).toBeEmpty();

  await dialog.getByLabel('Last name').fill('Neumann');
  await dialog.getByLabel('Email').fill('vera@acme.example');
  await dialog.getByLabel('Role').selectOption({ label: 'Fulfiller' });
  await dialog.getByLabel('Berlin Store (BER-01)').check();
  await page.screenshot({ path: shot('users-new'), fullPage: true });
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status')).toHaveText('Account created. An invitation was sent to vera@acme.example.');
  // acme has more accounts than one page holds: find her.
  await page.getByLabel('Search', { exact: true }).fill('vera');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('row')).toHaveCount(2);
  await expect(row(page, 'Vera Neumann')).toContainText('BER-01');
  await expect(row(page, 'Vera Neumann')).toContainText('Never');

  // The invitation: tenant, username and address, and a one-time link that
  // lives 72 hours.
  const mail = await mailbox.next('vera@acme.example', [], isInvitation);
  expect(mail.subject).toBe('Your Backoffice account at Acme Retail');
  expect(mail.text).toContain('Your username is vera.');
  expect(mail.text).toContain(`You will find the Backoffice at ${tenantUrl('acme', '')}`);
  expect(mail.text).toContain('The link works once and for 72 hours.');
  const link = resetLink(mail);

  // Vera opens it in her own browser.
  const vera = await page.context().browser()!.newContext();
  const veraPage = await vera.newPage();
  await veraPage.goto(link);
  await expect(veraPage.getByRole('heading', { level: 1, name: 'Choose your password' })).toBeVisible();
  await expect(veraPage.getByText('Welcome to Acme Retail. Choose a password for your account vera.')).toBeVisible();
  await veraPage.screenshot({ path: shot('invitation-choose-password'), fullPage: true });
  const reset = new ResetPasswordPage(veraPage);
  await reset.newPassword().fill('vera picked a mossy stone');
  await reset.confirmation().fill('vera picked a mossy stone');
  await reset.submit().click();
  await expect(veraPage.getByRole('heading', { level: 1, name: 'Your password has been changed.' })).toBeVisible();
  const login = new LoginPage(veraPage);
  await login.open('acme');
  await login.logIn('vera', 'vera picked a mossy stone');
  await expect(veraPage.getByRole('heading', { level: 1, name: 'Berlin Store' })).toBeVisible();
  await vera.close();

  // The list says she has signed in now.
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(row(page, 'Vera Neumann')).not.toContainText('Never');
});

test('a supervisor sees only the accounts of its facilities and cannot make administrators', async ({ page }) => {
  await new LoginPage(page).signInAs(hugo);
  await openUsers(page);
  await expect(row(page, 'Kai Brun')).toBeVisible();
  await expect(row(page, 'Pia Weiss')).toBeVisible();
  // Accounts elsewhere, or not wholly in Hamburg, are not there at all.
  for (const name of ['Fred Lang', 'Sue Kim', 'Anna Berg', 'Olga Kern']) {
    await expect(page.getByRole('button', { name })).toHaveCount(0);
  }
  const facilityFilter = page.getByLabel('Facility', { exact: true });
  await expect(facilityFilter.locator('option')).toHaveText(['Any', 'Hamburg Warehouse (HAM-02)']);
  await page.getByLabel('Search', { exact: true }).fill('kai');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('row')).toHaveCount(2);
  await expect(row(page, 'Kai Brun')).toBeVisible();

  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await expect(dialog.getByLabel('Role').locator('option')).toHaveText(['Supervisor', 'Fulfiller']);
  // Its own facility, ticked: a supervisor's new accounts get its facilities.
  await expect(dialog.getByRole('checkbox')).toHaveCount(1);
  await expect(dialog.getByLabel('Hamburg Warehouse (HAM-02)')).toBeChecked();
  await page.screenshot({ path: shot('users-supervisor-new'), fullPage: true });
  // Escape closes the dialog and focus returns to the button.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'New user' })).toBeFocused();
});

test('a change made meanwhile elsewhere is shown plainly, and the latest version can be loaded', async ({
  page,
  request,
}) => {
  await new LoginPage(page).signInAs(uma);
  await openUsers(page);
  await row(page, 'Olga Kern').getByRole('button', { name: 'Olga Kern' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit olga' });
  await expect(dialog.getByLabel('First name')).toHaveValue('Olga');

  // Meanwhile a script renames her through the API.
  const api = acmeApi(request);
  const token = (await (await api.login(uma.username, uma.password)).json()).access_token as string;
  const found = await (await api.get('/users?q=olga', token)).json();
  const stored = found.items[0];
  const renamed = await api.patch(`/users/${stored.id}`, token, { version: stored.version, last_name: 'Kernig' });
  expect(renamed.status()).toBe(200);

  await dialog.getByLabel('First name').fill('Olga-Marie');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog.locator('#user-editor-alert')).toContainText(
    'Someone else changed this account in the meantime.',
  );
  await page.screenshot({ path: shot('users-conflict'), fullPage: true });
  await dialog.getByRole('button', { name: 'Load the latest version' }).click();
  await expect(dialog.getByLabel('Last name')).toHaveValue('Kernig');
  await expect(dialog.locator('#user-editor-alert')).toBeEmpty();
  await dialog.getByLabel('First name').fill('Olga-Marie');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status')).toHaveText('Changes to olga saved.');
  await expect(page.getByRole('button', { name: 'Olga-Marie Kernig' })).toBeVisible();

  // Deactivating her takes effect: she cannot sign in.
  await page.getByRole('button', { name: 'Olga-Marie Kernig' }).click();
  const again = page.getByRole('dialog', { name: 'Edit olga' });
  await again.getByRole('button', { name: 'Deactivate' }).click();
  await expect(again.getByRole('status')).toHaveText('The account is deactivated and its sessions are signed out.');
  await expect(again.getByRole('button', { name: 'Activate' })).toBeVisible();
  await again.getByRole('button', { name: 'Close' }).click();
  const attempt = await api.login(olga.username, olga.password);
  expect(attempt.status()).toBe(403);
});

test('signing an account out everywhere, a temporary password and unlocking act at once', async ({ page, browser }) => {
  // Ben is signed in in his own browser.
  const bens = await browser.newContext();
  const benPage = await bens.newPage();
  await new LoginPage(benPage).signInAs(ben);

  await new LoginPage(page).signInAs(uma);
  await openUsers(page);
  await page.getByLabel('Search', { exact: true }).fill('ben');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await row(page, 'Ben Graf').getByRole('button', { name: 'Ben Graf' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit ben' });

  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Every session of this account is signed out.');
  await benPage.reload();
  await expect(new LoginPage(benPage).username()).toBeVisible();

  // A password the policy refuses is refused at its field; then a good one.
  const temporary = dialog.getByLabel('Temporary password');
  await temporary.fill('short');
  await dialog.getByRole('button', { name: 'Set temporary password' }).click();
  await expect(dialog.locator('#user-set-password-error')).toHaveText('Use at least 12 characters.');
  await temporary.fill('a temporary passphrase for ben');
  await dialog.getByRole('button', { name: 'Set temporary password' }).click();
  await expect(dialog.getByRole('status')).toHaveText(
    'Temporary password set. The account must choose a new one at the next sign-in; its sessions are signed out.',
  );
  await expect(temporary).toHaveValue('');

  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Sign-in waits on this account are lifted.');
  await page.screenshot({ path: shot('users-actions'), fullPage: true });

  // Ben's old password no longer works; the temporary one leads to choosing his own.
  const benLogin = new LoginPage(benPage);
  await benLogin.logIn(ben.username, ben.password);
  await expect(benLogin.alert()).toHaveText('Incorrect username or password.');
  await benLogin.logIn(ben.username, 'a temporary passphrase for ben');
  await expect(benPage.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await bens.close();
});
