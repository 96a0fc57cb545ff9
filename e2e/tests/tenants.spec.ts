// Two tenants on two host names, each with its own accounts.
import { expect, test } from '@playwright/test';
import { accounts, LoginPage, tenantUrl } from './pages';

test('acme and globex each know only their own accounts', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('globex');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Globex Logistics');

  await login.logIn(accounts.acmeAdmin.username, accounts.acmeAdmin.password);
  await expect(login.alert()).toHaveText('Incorrect username or password.');

  await login.logIn(accounts.globexGina.username, accounts.globexGina.password);
  await expect(page.getByRole('heading', { name: 'Network overview' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText('Globex Logistics');
  await expect(page.getByRole('banner')).toContainText('Gina Stone');

  // Signed in on globex is not signed in on acme.
  await page.goto(tenantUrl('acme', '/'));
  await expect(page.getByLabel('Username')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Retail');
});
