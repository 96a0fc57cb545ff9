// The language of the screens: before sign-in the browser's (its first
// language the app has, else English), signed in the account's, whatever the
// browser says (see frontend/src/i18n.rs). greta and jonas (see
// ../start-server.sh) are accounts whose language is German.
import { expect, Page, test } from '@playwright/test';
import { accounts, LoginPage, Mail, Mailbox, resetLink, shot, tenantUrl } from './pages';

const greta = accounts.acmeGreta;
const jonas = accounts.acmeJonas;

const isResetMail = (mail: Mail) => /\/reset-password#token=/.test(mail.text);
const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name });

test.describe('a German browser', () => {
  test.use({ locale: 'de-DE' });

  test('gets the login, forgot-password and reset pages in German', async ({ page }) => {
    const mailbox = new Mailbox();
    await page.goto(tenantUrl('acme', '/login'));
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page).toHaveTitle('Anmelden · Acme Retail');
    await expect(page.getByText('Melden Sie sich an, um fortzufahren.')).toBeVisible();
    const username = page.getByLabel('Benutzername');
    const password = page.getByLabel('Passwort', { exact: true });
    const submit = page.getByRole('button', { name: 'Anmelden' });
    await expect(username).toBeVisible();
    await expect(page.getByRole('button', { name: 'Passwort anzeigen' })).toHaveText('Anzeigen');

    // Caught in the browser, in German.
    await submit.click();
    await expect(page.getByRole('alert')).toHaveText('Geben Sie Ihren Benutzernamen und Ihr Passwort ein.');
    await page.screenshot({ path: shot('de-login'), fullPage: true });

    // The server's refusal is worded by its code, not by its English title
    // (faked, so that no failed sign-in is counted against this address).
    await page.route('**/api/v1/auth/login', (route) =>
      route.fulfill({
        status: 401,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: '/problems/invalid_credentials',
          title: 'Invalid credentials',
          status: 401,
          code: 'invalid_credentials',
        }),
      }),
    );
    await username.fill('niemand');
    await password.fill('kein-richtiges-passwort');
    await submit.click();
    await expect(page.getByRole('alert')).toHaveText('Benutzername oder Passwort ist falsch.');

    await page.getByRole('link', { name: 'Passwort vergessen?' }).click();
    await expect(heading(page, 'Passwort zurücksetzen')).toBeVisible();
    await expect(page).toHaveTitle('Passwort zurücksetzen · Acme Retail');
    await page.getByRole('button', { name: 'Passwort zurücksetzen' }).click();
    await expect(page.locator('#username-error')).toHaveText('Geben Sie Ihren Benutzernamen ein.');
    await page.getByLabel('Benutzername').fill(jonas.username);
    await page.getByRole('button', { name: 'Passwort zurücksetzen' }).click();
    await expect(heading(page, 'Sehen Sie in Ihr E-Mail-Postfach')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Zurück zur Anmeldung' })).toBeVisible();

    const link = resetLink(await mailbox.next(jonas.email, [], isResetMail));
    await page.goto(link);
    await expect(heading(page, 'Neues Passwort festlegen')).toBeVisible();
    await expect(page.getByText(`Wählen Sie ein neues Passwort für ${jonas.username} bei Acme Retail.`)).toBeVisible();
    await expect(page.getByText('Anforderungen an Ihr neues Passwort:')).toBeVisible();
    await expect(page.locator('.strength-text')).toHaveText('Stärke: noch nicht bewertet');
    await page.getByLabel('Neues Passwort', { exact: true }).fill('kurz');
    await expect(page.locator('.password-rule', { hasText: 'Mindestens 12 Zeichen' })).toContainText(
      '(noch nicht erfüllt)',
    );
    await expect(page.locator('.strength-text')).toHaveText('Stärke: Schwach');
    await page.getByRole('button', { name: 'Passwort speichern' }).click();
    await expect(page.locator('#new-password-error')).toHaveText('Wählen Sie ein Passwort, das alle Regeln unten erfüllt.');
    await expect(page.locator('#confirm-password-error')).toHaveText('Geben Sie das neue Passwort noch einmal ein.');
    await page.screenshot({ path: shot('de-reset-password'), fullPage: true });

    // A link that cannot be used says why, in German too.
    await page.goto(tenantUrl('acme', '/reset-password'));
    await expect(heading(page, 'Dieser Link ist ungültig')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Neuen Link anfordern' })).toBeVisible();
    await page.screenshot({ path: shot('de-reset-link-invalid'), fullPage: true });
  });
});

test.describe('an English browser', () => {
  test.use({ locale: 'en-US' });

  test('gets the same pages in English', async ({ page }) => {
    await page.goto(tenantUrl('acme', '/login'));
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page).toHaveTitle('Log in · Acme Retail');
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await expect(heading(page, 'Reset your password')).toBeVisible();
    await page.goto(tenantUrl('acme', '/reset-password'));
    await expect(heading(page, 'This link is not valid')).toBeVisible();
  });

  test("signed in, the account's language decides, and signed out the browser's again", async ({ page }) => {
    const login = new LoginPage(page);
    await login.open('acme');
    await login.logIn(greta.username, greta.password);

    const profile = page.getByRole('button', { name: /Profilmenü/ });
    await expect(profile).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Berlin Store');
    await expect(page.getByLabel('Standort')).toBeVisible();
    await expect(page.getByText('Hier erscheinen künftig Aufträge, Bestände und Aufgaben dieses Standorts.')).toBeVisible();
    const summary = page.locator('.scope-summary');
    await expect(summary).toContainText('Bereich');
    await expect(summary).toContainText('Rolle');
    await expect(summary).toContainText('Supervisor');
    await profile.click();
    await expect(page.getByRole('menuitem', { name: 'Kontoeinstellungen' })).toBeVisible();
    await page.screenshot({ path: shot('de-shell'), fullPage: true });

    await page.getByRole('menuitem', { name: 'Abmelden' }).click();
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });

  test('a German account gets Account settings and the Change password dialog in German', async ({ page }) => {
    const login = new LoginPage(page);
    await login.open('acme');
    await login.logIn(greta.username, greta.password);

    // The button's name starts with the initials it shows.
    const profile = page.getByRole('button', { name: /Profilmenü/ });
    await expect(profile).toHaveAccessibleName('GH, Profilmenü');
    await profile.click();
    await page.getByRole('menuitem', { name: 'Kontoeinstellungen' }).click();
    await expect(heading(page, 'Kontoeinstellungen')).toBeVisible();
    await expect(page).toHaveTitle('Kontoeinstellungen · Acme Retail');

    const row = (term: string) => page.locator('.details-row', { hasText: term }).locator('dd');
    await expect(page.getByRole('region', { name: 'Profil', exact: true })).toBeVisible();
    await expect(row('Vorname')).toHaveText('Greta');
    await expect(row('Nachname')).toHaveText('Hahn');
    await expect(row('E-Mail')).toHaveText('Keine E-Mail-Adresse');
    await expect(row('Sprache')).toHaveText('Deutsch');
    await expect(row('Anmeldung über')).toHaveText('Passwort');
    const form = page.getByRole('region', { name: 'Name und Sprache' });
    await expect(form.getByLabel('Vorname')).toHaveValue('Greta');
    await expect(form.getByRole('button', { name: 'Änderungen speichern' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Passwort', exact: true })).toContainText(
      'Wenn Sie Ihr Passwort ändern, werden Ihre anderen Sitzungen abgemeldet.',
    );
    // Times as German writes them, e.g. "Angemeldet: 28.11.2026, 17:09".
    const sessions = page.getByRole('region', { name: 'Sitzungen' });
    const current = sessions.getByRole('listitem').filter({ hasText: 'Diese Sitzung' });
    await expect(current).toContainText('Chrome unter Linux');
    await expect(current).toContainText(/Angemeldet: \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}/);
    await expect(current).toContainText('Zuletzt aktiv: ');
    await page.screenshot({ path: shot('de-account-settings'), fullPage: true });

    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    const dialog = page.getByRole('dialog', { name: 'Passwort ändern' });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Ihre anderen Sitzungen werden abgemeldet. Diese Sitzung bleibt angemeldet.');
    await expect(dialog.getByLabel('Aktuelles Passwort')).toBeFocused();
    await expect(dialog.getByLabel('Neues Passwort', { exact: true })).toBeVisible();
    await expect(dialog.getByLabel('Neues Passwort bestätigen')).toBeVisible();
    await expect(dialog.getByText('Anforderungen an Ihr neues Passwort:')).toBeVisible();
    // Caught in the browser, in German.
    await dialog.getByRole('button', { name: 'Passwort ändern' }).click();
    await expect(page.locator('#current-password-error')).toHaveText('Geben Sie Ihr aktuelles Passwort ein.');
    await expect(page.locator('#new-password-error')).toHaveText('Wählen Sie ein Passwort, das alle Regeln unten erfüllt.');
    await expect(page.locator('#confirm-password-error')).toHaveText('Geben Sie das neue Passwort noch einmal ein.');
    await page.screenshot({ path: shot('de-change-password-dialog') });
    await dialog.getByRole('button', { name: 'Abbrechen' }).click();
    await expect(dialog).toHaveCount(0);
  });
});
