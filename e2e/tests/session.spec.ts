// Staying signed in, the profile menu, account settings, and logging out.
import { expect, test } from '@playwright/test';
import { accounts, LoginPage, Shell, shot } from './pages';

test('reloading any page keeps the user signed in', async ({ page }) => {
  await new LoginPage(page).signInAs(accounts.acmeLena);
  await expect(page.getByRole('heading', { name: 'Network overview' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Network overview' })).toBeVisible();
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
});

test('the profile menu leads to account settings with the profile', async ({ page }) => {
  await new LoginPage(page).signInAs(accounts.acmeAdmin);
  const shell = new Shell(page);
  await shell.openMenu();
  await page.screenshot({ path: shot('profile-menu'), fullPage: true });
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
  await expect(shell.profileButton()).toBeFocused();

  await shell.openMenu();
  await page.getByRole('menuitem', { name: 'Account settings' }).click();
  await expect(page).toHaveURL(/\/account$/);
  const main = page.getByRole('main');
  await expect(main.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
  for (const text of ['anna', 'Anna', 'Berg', 'anna@acme.example', 'Administrator']) {
    await expect(main).toContainText(text);
  }
  await page.screenshot({ path: shot('account-settings'), fullPage: true });
});

test('account settings show the sign-in before this one', async ({ page }) => {
  const previous = page.locator('.details-row', { hasText: 'Previous sign-in' }).locator('dd');
  await new LoginPage(page).signInAs(accounts.acmePia);
  await page.goto('/account');
  await expect(previous).toHaveText('None before this one');

  await new Shell(page).logOut();
  await new LoginPage(page).signInAs(accounts.acmePia);
  await page.goto('/account');
  // e.g. "Nov 28, 2026, 9:41 PM": the first sign-in, in the browser's zone.
  await expect(previous).toHaveText(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$/);
  await page.screenshot({ path: shot('account-settings-facility-user'), fullPage: true });
});

test('log out ends the session and Back shows no signed-in page', async ({ page }) => {
  await new LoginPage(page).signInAs(accounts.acmeLena);
  await page.goto('/account');
  await expect(page.getByRole('heading', { name: 'Account settings' })).toBeVisible();
  await new Shell(page).logOut();
  await expect(page).toHaveURL(/\/login$/);

  await page.goBack();
  await expect(page.getByLabel('Username')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Account settings' })).toHaveCount(0);

  await page.reload();
  await expect(page.getByLabel('Username')).toBeVisible();
  // The browser's own cookie no longer opens a session.
  const status = await page.evaluate(async () => {
    const response = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return response.status;
  });
  expect(status).toBe(401);
});

test('a page asked for while signed out opens after the sign-in; a plain login lands home', async ({ page }) => {
  await page.goto('/account');
  const login = new LoginPage(page);
  await expect(login.username()).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  await login.logIn(accounts.acmeLena.username, accounts.acmeLena.password);
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
  await expect(page).toHaveURL(/\/account$/);

  // After a logout, the next sign-in starts at home again.
  await new Shell(page).logOut();
  await login.logIn(accounts.acmeLena.username, accounts.acmeLena.password);
  await expect(page.getByRole('heading', { name: 'Network overview' })).toBeVisible();
});
