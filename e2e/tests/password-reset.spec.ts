// Forgot password: asking for a link, the real mail it arrives in (caught by
// the SMTP catcher that start-server.sh runs), the page the link opens, and
// the ways a link can no longer be used.
import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import {
  accounts,
  ForgotPasswordPage,
  LoginPage,
  Mail,
  Mailbox,
  resetLink,
  ResetPasswordPage,
  shot,
  tenantUrl,
} from './pages';

const rita = accounts.acmeRita;
const reto = accounts.acmeReto;
const eva = accounts.acmeEva;
const ritasNewPassword = 'quiet harbour lantern 42';

const isResetMail = (mail: Mail) => /\/reset-password#token=/.test(mail.text);
const fitsTheScreen = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name });

test('a forgotten password is set anew by the emailed link, which then is used up', async ({ page }) => {
  const mailbox = new Mailbox();
  const login = new LoginPage(page);
  const forgot = new ForgotPasswordPage(page);
  const reset = new ResetPasswordPage(page);

  await login.open('acme');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(heading(page, 'Reset your password')).toBeVisible();
  await expect(forgot.username()).toBeFocused();
  await page.screenshot({ path: shot('forgot-password'), fullPage: true });

  await forgot.request(rita.username);
  await expect(
    page.getByText('If the account exists and has an email address, a link to set a new password has been sent to it.'),
  ).toBeVisible();
  await expect(
    page.getByText('If no email arrives, an administrator or supervisor can set a new password for you.'),
  ).toBeVisible();
  await page.screenshot({ path: shot('forgot-password-sent'), fullPage: true });

  const mail = await mailbox.next(rita.email, [], isResetMail);
  const link = resetLink(mail);
  expect(link).toMatch(new RegExp(`^${tenantUrl('acme', '/reset-password')}#token=[A-Za-z0-9_-]{43}$`));

  await page.goto(link);
  await expect(reset.newPassword()).toBeVisible();
  // The token is kept in memory only: gone from the address bar at once.
  await expect(page).toHaveURL(tenantUrl('acme', '/reset-password'));
  expect(await page.evaluate(() => location.href)).not.toContain('token');
  await expect(page.getByText(`Choose a new password for ${rita.username} at Acme Retail.`)).toBeVisible();
  await expect(reset.newPassword()).toHaveAttribute('type', 'password');
  await expect(reset.confirmation()).toHaveAttribute('type', 'password');

  // The checklist follows the typing.
  const length = reset.rule('At least 12 characters');
  const common = reset.rule('Not a commonly used password');
  const notUsername = reset.rule('Not your username');
  await expect(length).toHaveClass(/rule-pending/);
  await reset.newPassword().fill('short');
  await expect(length).toHaveClass(/rule-unmet/);
  await expect(length).toContainText('(not yet)');
  await expect(common).toHaveClass(/rule-pending/);
  await expect(reset.strength()).toHaveText('Strength: Weak');
  await reset.newPassword().fill('password1234');
  await expect(length).toHaveClass(/rule-met/);
  await expect(common).toHaveClass(/rule-unmet/);
  await expect(notUsername).toHaveClass(/rule-met/);
  await expect(reset.strength()).toHaveText('Strength: Weak');

  // Refused here, before the server is asked.
  let confirms = 0;
  page.on('request', (request) => {
    if (request.url().endsWith('/api/v1/password-resets/confirm')) confirms += 1;
  });
  await reset.confirmation().fill('password1234');
  await reset.submit().click();
  await expect(page.locator('#new-password-error')).toHaveText('Choose a password that meets every rule below.');
  await expect(reset.newPassword()).toHaveAttribute('aria-invalid', 'true');
  await expect(reset.newPassword()).toHaveAttribute('aria-describedby', /new-password-error/);
  await expect(reset.newPassword()).toBeFocused();
  await page.screenshot({ path: shot('reset-password-checklist'), fullPage: true });

  await reset.newPassword().fill(ritasNewPassword);
  await expect(page.locator('#new-password-error')).toBeEmpty();
  await expect(reset.strength()).toHaveText('Strength: Strong');
  await expect(page.locator('.password-rule.rule-met')).toHaveCount(3);
  await reset.confirmation().fill(`${ritasNewPassword}!`);
  await expect(page.locator('#confirm-password-error')).toHaveText('The passwords do not match.');
  await expect(reset.confirmation()).toHaveAttribute('aria-describedby', 'confirm-password-error');
  await reset.submit().click();
  await expect(reset.confirmation()).toBeFocused();
  expect(confirms).toBe(0);
  await reset.confirmation().fill(ritasNewPassword);
  await expect(page.locator('#confirm-password-error')).toBeEmpty();
  await page.screenshot({ path: shot('reset-password'), fullPage: true });

  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 740 });
  expect(await fitsTheScreen(page)).toBe(true);
  await page.screenshot({ path: shot('phone-reset-password'), fullPage: true });
  if (desktop) await page.setViewportSize(desktop);

  await reset.submit().click();
  await expect(heading(page, 'Your password has been changed.')).toBeVisible();
  expect(confirms).toBe(1);
  await page.screenshot({ path: shot('reset-password-done'), fullPage: true });

  // The account's owner hears of the change.
  const notice = await mailbox.next(rita.email, [mail]);
  expect(isResetMail(notice)).toBe(false);

  await page.getByRole('link', { name: 'Back to login' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await login.logIn(rita.username, rita.password);
  await expect(login.alert()).toHaveText('Incorrect username or password.');
  await login.logIn(rita.username, ritasNewPassword);
  await expect(page.getByRole('heading', { name: 'Network overview' })).toBeVisible();

  // The same link a second time.
  await page.goto(link);
  await expect(heading(page, 'This link has already been used')).toBeVisible();
  await expect(page).toHaveURL(tenantUrl('acme', '/reset-password'));
  await page.screenshot({ path: shot('reset-link-used'), fullPage: true });
  await page.getByRole('link', { name: 'Request a new link' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(heading(page, 'Reset your password')).toBeVisible();
});

test('a link replaced by a newer one says so, and the newer one works', async ({ page, context }) => {
  const mailbox = new Mailbox();
  const forgot = new ForgotPasswordPage(page);
  await forgot.open('acme');
  await forgot.request(reto.username);
  const first = await mailbox.next(reto.email, [], isResetMail);
  await forgot.open('acme');
  await forgot.request(reto.username);
  const second = await mailbox.next(reto.email, [first], isResetMail);
  expect(resetLink(second)).not.toBe(resetLink(first));

  await page.goto(resetLink(first));
  await expect(heading(page, 'This link has been replaced')).toBeVisible();
  await page.screenshot({ path: shot('reset-link-replaced'), fullPage: true });
  await expect(page.getByRole('link', { name: 'Request a new link' })).toHaveAttribute('href', '/forgot-password');

  // The newer link, opened from the mail as links are: in a new tab.
  const newer = await context.newPage();
  await newer.goto(resetLink(second));
  await expect(new ResetPasswordPage(newer).newPassword()).toBeVisible();
  await expect(newer).toHaveURL(tenantUrl('acme', '/reset-password'));
});

test('a garbled link, and one without its token, are not valid', async ({ page }) => {
  await page.goto(tenantUrl('acme', '/reset-password#token=this-is-not-a-token'));
  await expect(heading(page, 'This link is not valid')).toBeVisible();
  await expect(page).toHaveURL(tenantUrl('acme', '/reset-password'));
  await page.screenshot({ path: shot('reset-link-invalid'), fullPage: true });

  await page.goto(tenantUrl('acme', '/reset-password'));
  await expect(heading(page, 'This link is not valid')).toBeVisible();
  await page.getByRole('link', { name: 'Request a new link' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
});

test('an expired link says so', async ({ page }) => {
  // A real link, aged in the server's database: links live at least a
  // minute (BACKOFFICE_RESET_TOKEN_TTL), too long to wait for here.
  const mailbox = new Mailbox();
  const forgot = new ForgotPasswordPage(page);
  await forgot.open('acme');
  await forgot.request(eva.username);
  const mail = await mailbox.next(eva.email, [], isResetMail);
  execFileSync('/usr/bin/python3', [
    '-c',
    'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); ' +
      "db.execute(\"UPDATE password_reset_tokens SET expires_at = created_at WHERE user_id = (SELECT id FROM users WHERE username = 'eva')\"); " +
      'db.commit()',
    path.join(process.env.E2E_DATA_DIR ?? '', 'backoffice.sqlite3'),
  ]);
  await page.goto(resetLink(mail));
  await expect(heading(page, 'This link has expired')).toBeVisible();
  await expect(page).toHaveURL(tenantUrl('acme', '/reset-password'));
  await page.screenshot({ path: shot('reset-link-expired'), fullPage: true });
  await page.getByRole('link', { name: 'Request a new link' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
});

test('the request form says what it needs, shows it is working, and tells no one who exists', async ({ page }) => {
  const forgot = new ForgotPasswordPage(page);
  await forgot.open('acme');
  await forgot.submit().click();
  await expect(page.locator('#username-error')).toHaveText('Enter your username.');
  await expect(forgot.username()).toHaveAttribute('aria-invalid', 'true');
  await expect(forgot.username()).toHaveAttribute('aria-describedby', 'username-error');
  await expect(forgot.username()).toBeFocused();

  // The real server, held back a moment so the pending state can be seen.
  await forgot.username().fill('nobody-here');
  await page.route('**/api/v1/password-resets', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.continue();
  });
  await forgot.submit().click();
  await expect(page.getByRole('button', { name: 'Sending…' })).toBeDisabled();
  // An unknown username gets the very same answer.
  await expect(heading(page, 'Check your email')).toBeVisible();
  await page.getByRole('link', { name: 'Back to login' }).click();
  await expect(page).toHaveURL(/\/login$/);
});
