// On a phone (375 px wide) every screen fits without sideways scrolling.
import { expect, Page, test } from '@playwright/test';
import { accounts, LoginPage, shot } from './pages';

test.use({ viewport: { width: 375, height: 740 } });

const fitsTheScreen = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

test('login and the signed-in screens fit a phone', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('acme');
  expect(await fitsTheScreen(page)).toBe(true);
  await page.screenshot({ path: shot('phone-login'), fullPage: true });

  await login.logIn(accounts.acmeSupervisor.username, accounts.acmeSupervisor.password);
  await expect(page.getByLabel('Facility')).toBeVisible();
  expect(await fitsTheScreen(page)).toBe(true);
  await page.screenshot({ path: shot('phone-facility'), fullPage: true });

  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
  expect(await fitsTheScreen(page)).toBe(true);
  await page.screenshot({ path: shot('phone-account'), fullPage: true });
});
