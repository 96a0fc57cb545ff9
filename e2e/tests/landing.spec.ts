// Where each kind of account lands after signing in.
import { expect, test } from '@playwright/test';
import { accounts, LoginPage, shot } from './pages';

test('an administrator lands on the network view', async ({ page }) => {
  await new LoginPage(page).signInAs(accounts.acmeAdmin);
  await expect(page.getByRole('heading', { level: 1, name: 'Network overview' })).toBeVisible();
  const main = page.getByRole('main');
  await expect(main).toContainText('Acme Retail');
  await expect(main).toContainText('Administrator');
  await expect(page.getByRole('banner')).toContainText('Anna Berg');
  await expect(page.getByRole('banner')).toContainText('Acme Retail');
  await page.screenshot({ path: shot('network-view'), fullPage: true });
});

test('a user of one facility lands straight on that facility', async ({ page }) => {
  await new LoginPage(page).signInAs(accounts.acmeFulfiller);
  await expect(page).toHaveURL(/\/facility\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Berlin Store');
  await expect(page.getByRole('main')).toContainText('Fulfiller');
  await expect(page.getByLabel('Facility')).toHaveCount(0);
  await page.screenshot({ path: shot('facility-view'), fullPage: true });
});

test('a user of several facilities can switch between them', async ({ page }) => {
  await new LoginPage(page).signInAs(accounts.acmeSupervisor);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Berlin Store');
  const switcher = page.getByLabel('Facility');
  await expect(switcher).toBeVisible();
  const firstUrl = page.url();
  await switcher.selectOption({ label: 'Hamburg Warehouse (HAM-02)' });
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Hamburg Warehouse');
  expect(page.url()).not.toBe(firstUrl);
  await expect(page.getByRole('main')).toContainText('Supervisor');
  await page.screenshot({ path: shot('facility-switcher'), fullPage: true });
});
