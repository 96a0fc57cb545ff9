// An accessibility scan (axe) of the screens the other specs do not scan:
// the login screen (with its single sign-on button and with a refusal), the
// forgot-password and reset pages, the landing views, a facility, the
// unknown-tenant page, and the German login. Account settings, the Change
// password dialog, the choose-password screen and the Users screens are
// scanned in their own specs.
import { expect, test } from '@playwright/test';
import { accounts, expectAccessible, LoginPage, tenantUrl } from './pages';

test('the screens before sign-in', async ({ page }) => {
  const login = new LoginPage(page);
  await login.open('acme');
  await expect(page.getByRole('link', { name: 'Log in with Acme Login' })).toBeVisible();
  await expectAccessible(page);
  await login.logIn('nobody', 'a wrong password for nobody');
  await expect(login.alert()).toContainText('Incorrect username or password.');
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectAccessible(page);

  await page.goto(tenantUrl('acme', '/reset-password#token=not-a-real-token'));
  await expect(page.getByRole('heading', { level: 1, name: 'This link is not valid' })).toBeVisible();
  await expectAccessible(page);

  await page.goto('http://nowhere.localhost:' + new URL(page.url()).port + '/login');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectAccessible(page);
});

test('the landing views and a facility', async ({ page }) => {
  await new LoginPage(page).signInAs(accounts.acmeLena);
  await expect(page.getByRole('heading', { name: 'Network overview' })).toBeVisible();
  await expectAccessible(page);

  const fred = await page.context().browser()!.newContext();
  const fredPage = await fred.newPage();
  await new LoginPage(fredPage).signInAs(accounts.acmeFulfiller);
  await expect(fredPage.getByRole('heading', { level: 1, name: 'Berlin Store' })).toBeVisible();
  await expectAccessible(fredPage);
  await fred.close();
});

test.describe('a German browser', () => {
  test.use({ locale: 'de-DE' });

  test('the German login', async ({ page }) => {
    await page.goto(tenantUrl('acme', '/login'));
    await expect(page.getByRole('link', { name: 'Anmelden mit Acme Login' })).toBeVisible();
    await expectAccessible(page);
  });
});
