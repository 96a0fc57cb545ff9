// Single sign-on through the tenant's identity provider: the real OpenID
// provider (npm oidc-provider, e2e/idp/idp.mjs) that start-server.sh starts
// for acme, with its own login page. globex has no provider.
import { expect, Page, test } from '@playwright/test';
import { LoginPage, shot, tenantUrl } from './pages';

const ssoButton = (page: Page) => page.getByRole('link', { name: 'Log in with Acme Login' });

/** Signs in on the provider's own login form as `account`. */
async function signInAtProvider(page: Page, account: string) {
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\//);
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: /sign-in/i }).click();
}

test('only a tenant with a provider offers single sign-on', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('acme');
  await expect(ssoButton(page)).toBeVisible();
  await expect(ssoButton(page)).toHaveAttribute('href', /^\/api\/v1\/auth\/sso\/start\?provider=/);
  await page.screenshot({ path: shot('login-sso'), fullPage: true });
  await login.open('globex');
  await expect(page.getByRole('link', { name: /Log in with/ })).toHaveCount(0);
});

test('the provider signs a person in, the account is made on the spot, and has no password here', async ({
  page,
}) => {
  // A bookmarked page, asked for while signed out.
  await page.goto('/account');
  await expect(new LoginPage(page).username()).toBeVisible();
  await ssoButton(page).click();
  await page.screenshot({ path: shot('sso-provider-login'), fullPage: true });
  await signInAtProvider(page, 'sam-0002');

  // Back in the Backoffice, signed in, on the page asked for.
  await expect(page).toHaveURL(tenantUrl('acme', '/account'));
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { level: 1, name: /Account settings|Kontoeinstellungen/ })).toBeVisible();
  // Sam's provider says German: the app follows the account's language.
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  for (const text of ['sam', 'Sam', 'Sommer', 'sam@idp.example', 'Supervisor', 'Berlin Store', 'Hamburg Warehouse']) {
    await expect(main).toContainText(text);
  }
  await expect(main).toContainText('Single Sign-on');
  // No password here: no Change password.
  await expect(main.getByRole('button', { name: /Passwort ändern|Change password/ })).toHaveCount(0);
  await page.screenshot({ path: shot('sso-account-settings'), fullPage: true });

  // A reload keeps the session, as after a password login.
  await page.reload();
  await expect(main.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page).toHaveURL(tenantUrl('acme', '/account'));
});

test('cancelling at the provider comes back to the login screen with a plain message', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('acme');
  await ssoButton(page).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\//);
  await page.getByRole('link', { name: /cancel/i }).click();
  await expect(page).toHaveURL(tenantUrl('acme', '/login'));
  await expect(login.alert()).toHaveText('Single sign-on was cancelled at your organization\'s sign-in.');
  await expect(login.username()).toBeVisible();
  // Not said again on a reload: the address no longer carries it.
  await page.reload();
  await expect(login.username()).toBeVisible();
  await expect(page.locator('#login-error')).toBeEmpty();
});

test('claims that give no role here are refused with a plain message, and no session', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('acme');
  await ssoButton(page).click();
  await signInAtProvider(page, 'nora-0004');
  await expect(page).toHaveURL(tenantUrl('acme', '/login'));
  await expect(login.alert()).toHaveText(
    "Your organization's sign-in gives you no role in this Backoffice. Ask an administrator to set one up.",
  );
  await page.goto('/');
  await expect(login.username()).toBeVisible();
});
