// Account settings: the profile and its form, the Change password dialog (by
// mouse and by keyboard alone), the sessions list, and the choose-password
// screen after a temporary password; with an accessibility scan of each.
import { expect, Page, test } from '@playwright/test';
import { accounts, expectAccessible, LoginPage, Shell, shot } from './pages';

/** The account page and its dialog, as this spec uses them. */
class AccountSettings {
  constructor(readonly page: Page) {}

  heading = () => this.page.getByRole('heading', { level: 1, name: 'Account settings' });
  // While the dialog is open its submit button has the same name; the page's
  // button comes first.
  changePassword = () => this.page.getByRole('button', { name: 'Change password', exact: true }).first();
  passwordStatus = () => this.page.getByRole('region', { name: 'Password', exact: true }).getByRole('status');
  dialog = () => this.page.getByRole('dialog', { name: 'Change password' });
  current = () => this.dialog().getByLabel('Current password');
  newPassword = () => this.dialog().getByLabel('New password', { exact: true });
  confirmation = () => this.dialog().getByLabel('Confirm new password');
  submit = () => this.dialog().getByRole('button', { name: /^Chang(e|ing) password/ });
  cancel = () => this.dialog().getByRole('button', { name: 'Cancel' });
  sessions = () => this.page.getByRole('region', { name: 'Sessions' });
  sessionItems = () => this.sessions().getByRole('listitem');

  async open() {
    await this.page.goto('/account');
    await expect(this.heading()).toBeVisible();
  }

  async openDialog() {
    await this.changePassword().click();
    await expect(this.dialog()).toBeVisible();
  }
}

test('change password from the profile menu: the new password signs in, the old one no longer', async ({ page }) => {
  const carla = accounts.acmeCarla;
  const newPassword = 'carla picked a quiet lantern';
  await new LoginPage(page).signInAs(carla);
  const shell = new Shell(page);
  await shell.openMenu();
  await page.getByRole('menuitem', { name: 'Account settings' }).click();
  const settings = new AccountSettings(page);
  await expect(settings.heading()).toBeVisible();
  const main = page.getByRole('main');
  for (const text of ['Carla', 'Mendes', 'carla', 'carla@acme.example', 'Supervisor', 'Berlin Store (BER-01)', 'Acme Retail', 'English', 'Password']) {
    await expect(main).toContainText(text);
  }
  await expect(settings.sessionItems()).toHaveCount(1);
  await page.screenshot({ path: shot('account-settings'), fullPage: true });

  await settings.openDialog();
  await expect(settings.dialog()).toHaveAttribute('aria-modal', 'true');
  await expect(settings.current()).toBeFocused();
  await settings.current().fill(carla.password);
  await settings.newPassword().fill(newPassword);
  await expect(settings.dialog().locator('.password-rule.rule-met')).toHaveCount(3);
  await settings.confirmation().fill(newPassword);
  await page.screenshot({ path: shot('change-password-dialog') });
  await settings.submit().click();

  await expect(settings.dialog()).toHaveCount(0);
  await expect(settings.passwordStatus()).toHaveText(
    'Your password has been changed. Your other sessions have been signed out.',
  );
  await expect(settings.changePassword()).toBeFocused();
  // This session stays signed in, also across a reload.
  await page.reload();
  await expect(settings.heading()).toBeVisible();

  await shell.logOut();
  const login = new LoginPage(page);
  await login.logIn(carla.username, carla.password);
  await expect(login.alert()).toHaveText('Incorrect username or password.');
  await login.logIn(carla.username, newPassword);
  await expect(shell.profileButton()).toBeVisible();
});

test('the dialog works by keyboard alone and shows refusals at their field', async ({ page }) => {
  const kai = accounts.acmeKai;
  await new LoginPage(page).signInAs(kai);
  const settings = new AccountSettings(page);
  await settings.open();
  await expectAccessible(page);

  // Enter on the button opens it, with focus on the first field.
  await settings.changePassword().focus();
  await page.keyboard.press('Enter');
  await expect(settings.dialog()).toBeVisible();
  await expect(settings.current()).toBeFocused();
  await expectAccessible(page);

  // Tab goes through the fields and buttons and wraps; Shift+Tab back.
  const order = [settings.newPassword(), settings.confirmation(), settings.cancel(), settings.submit(), settings.current()];
  for (const next of order) {
    await page.keyboard.press('Tab');
    await expect(next).toBeFocused();
  }
  await page.keyboard.press('Shift+Tab');
  await expect(settings.submit()).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(settings.cancel()).toBeFocused();

  // Escape closes it, and focus is back on the button.
  await page.keyboard.press('Escape');
  await expect(settings.dialog()).toHaveCount(0);
  await expect(settings.changePassword()).toBeFocused();

  // Space opens it again; a mismatch shows at the confirmation.
  await page.keyboard.press('Space');
  await expect(settings.current()).toBeFocused();
  await page.keyboard.type('not-kais-password');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kai found a brand new phrase');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kai found a brand new phrasx');
  await expect(page.locator('#confirm-password-error')).toHaveText('The passwords do not match.');
  await expect(settings.confirmation()).toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('e');
  await expect(settings.confirmation()).toHaveAttribute('aria-invalid', 'false');

  // Enter submits; the wrong current password is refused at its field.
  await page.keyboard.press('Enter');
  const currentError = page.locator('#current-password-error');
  await expect(currentError).toHaveText('The current password is not correct.');
  await expect(currentError).toHaveAttribute('aria-live', 'polite');
  await expect(settings.current()).toHaveAttribute('aria-invalid', 'true');
  await expect(settings.current()).toHaveAttribute('aria-describedby', /current-password-error/);
  await expect(settings.current()).toBeFocused();
  await expect(settings.dialog()).toBeVisible();
  await page.screenshot({ path: shot('change-password-errors') });
  await expectAccessible(page);

  // Typing again clears the refusal; Cancel closes and returns focus.
  await page.keyboard.type('x');
  await expect(settings.current()).toHaveAttribute('aria-invalid', 'false');
  await settings.cancel().click();
  await expect(settings.dialog()).toHaveCount(0);
  await expect(settings.changePassword()).toBeFocused();
  await expect(page.getByText('Your password has been changed.')).toHaveCount(0);
});

test('sessions: another browser is listed and signed out at once', async ({ page, browser }) => {
  const sam = accounts.acmeSam;
  await new LoginPage(page).signInAs(sam);
  const other = await browser.newContext({ baseURL: page.url() });
  const otherPage = await other.newPage();
  await new LoginPage(otherPage).signInAs(sam);

  const settings = new AccountSettings(page);
  await settings.open();
  await expect(settings.sessionItems()).toHaveCount(2);
  const current = settings.sessionItems().filter({ hasText: 'This session' });
  await expect(current).toHaveCount(1);
  await expect(current).toContainText('Chrome on Linux');
  await expect(current.getByRole('button')).toHaveCount(0);
  await page.screenshot({ path: shot('sessions'), fullPage: true });

  const elsewhere = settings.sessionItems().filter({ hasNotText: 'This session' });
  await elsewhere.getByRole('button', { name: /^Sign out Chrome on Linux/ }).click();
  await expect(settings.sessions().getByRole('status')).toHaveText('The session has been signed out.');
  await expect(settings.sessionItems()).toHaveCount(1);
  await expect(settings.sessions()).toContainText('You are not signed in anywhere else.');

  // The other browser's next request finds its session gone.
  const otherShell = new Shell(otherPage);
  await otherShell.openMenu();
  await otherPage.getByRole('menuitem', { name: 'Account settings' }).click();
  await expect(otherPage.getByLabel('Username')).toBeVisible();
  await expect(otherPage.getByRole('status')).toHaveText('Your session has ended. Log in again.');

  // Signed in there again: Sign out of all other sessions.
  await new LoginPage(otherPage).signInAs(sam);
  await page.reload();
  await expect(settings.sessionItems()).toHaveCount(2);
  await settings.sessions().getByRole('button', { name: 'Sign out of all other sessions' }).click();
  await expect(settings.sessions().getByRole('status')).toHaveText('All other sessions have been signed out.');
  await expect(settings.sessionItems()).toHaveCount(1);
  await otherPage.reload();
  await expect(otherPage.getByLabel('Username')).toBeVisible();
  await other.close();
});

test('a temporary password: choose a new one first, then the app', async ({ page }) => {
  const tom = accounts.acmeTom;
  const newPassword = 'tom chose his own words';
  const login = new LoginPage(page);
  await login.open(tom.tenant);
  await login.logIn(tom.username, tom.password);
  await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await expect(new Shell(page).profileButton()).toHaveCount(0);
  const current = page.getByLabel('Current (temporary) password');
  await expect(current).toBeFocused();
  await expectAccessible(page);

  // The same checks as elsewhere: the policy, and the confirmation.
  await current.fill(tom.password);
  await page.getByLabel('New password', { exact: true }).fill('password1234');
  await expect(page.locator('.password-rule', { hasText: 'Not a commonly used password' })).toHaveClass(/rule-unmet/);
  await page.getByLabel('Confirm new password').fill('password1234');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.locator('#new-password-error')).toHaveText('Choose a password that meets every rule below.');
  await expect(page.getByLabel('New password', { exact: true })).toBeFocused();
  await page.screenshot({ path: shot('choose-password'), fullPage: true });

  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm new password').fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(new Shell(page).profileButton()).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toHaveCount(0);
  await page.reload();
  await expect(new Shell(page).profileButton()).toBeVisible();

  await new Shell(page).logOut();
  await login.logIn(tom.username, newPassword);
  await expect(new Shell(page).profileButton()).toBeVisible();
});

test('names and language are saved, and the page follows the language', async ({ page }) => {
  await new LoginPage(page).signInAs(accounts.acmeNina);
  const settings = new AccountSettings(page);
  await settings.open();
  const form = page.getByRole('region', { name: 'Name and language' });
  const row = (term: string) => page.locator('.details-row', { hasText: term }).locator('dd');

  await form.getByLabel('First name').fill('');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('#first-name-error')).toHaveText('Enter your first name.');
  await expect(form.getByLabel('First name')).toBeFocused();

  await form.getByLabel('First name').fill('Nina-Marie');
  await form.getByLabel('Language').selectOption('de');
  await form.getByRole('button', { name: 'Save changes' }).click();
  // Saved, the whole page speaks German at once.
  const formDe = page.getByRole('region', { name: 'Name und Sprache' });
  await expect(formDe.getByRole('status')).toHaveText('Ihr Profil wurde gespeichert.');
  await expect(page.getByRole('heading', { level: 1, name: 'Kontoeinstellungen' })).toBeVisible();
  await expect(row('Vorname')).toHaveText('Nina-Marie');
  await expect(row('Sprache')).toHaveText('Deutsch');
  await expect(formDe.getByRole('button', { name: 'Änderungen speichern' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');

  await page.reload();
  await expect(row('Vorname')).toHaveText('Nina-Marie');
  await expect(page.getByRole('region', { name: 'Name und Sprache' }).getByLabel('Sprache')).toHaveValue('de');
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('account settings and the dialog fit the screen', async ({ page }) => {
    await new LoginPage(page).signInAs(accounts.acmeKai);
    const settings = new AccountSettings(page);
    await settings.open();
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await fits()).toBe(true);
    await page.screenshot({ path: shot('phone-account-settings'), fullPage: true });
    await settings.openDialog();
    await settings.newPassword().fill('short');
    expect(await fits()).toBe(true);
    await page.screenshot({ path: shot('phone-change-password-dialog') });
  });
});
