// The login screen: what it shows, and how it answers wrong input.
import { expect, test } from '@playwright/test';
import { accounts, LoginPage, shot } from './pages';

test('shows the tenant, the fields and a password toggle', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('acme');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Retail');
  await expect(login.password()).toHaveAttribute('type', 'password');
  await login.password().fill('secret words');
  await page.getByRole('button', { name: 'Show password' }).click();
  await expect(login.password()).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Hide password' }).click();
  await expect(login.password()).toHaveAttribute('type', 'password');
  await page.screenshot({ path: shot('login'), fullPage: true });
});

test('a wrong password and an unknown username get the same message', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('acme');
  await login.logIn('lena', 'not her passphrase');
  await expect(login.alert()).toHaveText('Incorrect username or password.');
  await page.screenshot({ path: shot('login-failed'), fullPage: true });
  await login.logIn('nobody-here', 'not her passphrase');
  await expect(login.alert()).toHaveText('Incorrect username or password.');
  await expect(page).toHaveURL(/\/login$/);
});

test('an inactive account hears so only after the right password', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('acme');
  await login.logIn(accounts.acmeInactive.username, 'wrong passphrase');
  await expect(login.alert()).toHaveText('Incorrect username or password.');
  await login.logIn(accounts.acmeInactive.username, accounts.acmeInactive.password);
  await expect(login.alert()).toHaveText('This account is inactive. Contact your administrator.');
});

test('the button shows it is working and cannot be pressed twice', async ({ page }) => {
  let logins = 0;
  // Hold the real request back a moment so the pending state can be seen.
  await page.route('**/api/v1/auth/login', async (route) => {
    logins += 1;
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.continue();
  });
  const login = new LoginPage(page);
  await login.open('acme');
  await login.username().fill(accounts.acmeAdmin.username);
  await login.password().fill(accounts.acmeAdmin.password);
  await login.submit().click();
  const button = page.getByRole('button', { name: /Logging in/ });
  await expect(button).toBeDisabled();
  await login.password().press('Enter');
  await expect(page.getByRole('heading', { name: 'Network overview' })).toBeVisible();
  expect(logins).toBe(1);
});

test('an address that names no tenant says so', async ({ page }) => {
  await page.goto(`http://nowhere.localhost:${process.env.E2E_PORT ?? 18181}/`);
  await expect(page.getByText('This address does not belong to any Backoffice tenant.')).toBeVisible();
  await page.screenshot({ path: shot('unknown-tenant'), fullPage: true });
});
