// Page objects for the screens several specs use, and the seeded accounts
// (see ../start-server.sh).
import { expect, Page } from '@playwright/test';

export const port = Number(process.env.E2E_PORT ?? 18181);
export const tenantUrl = (tenant: string, path = '/') => `http://${tenant}.localhost:${port}${path}`;

export const accounts = {
  acmeAdmin: { tenant: 'acme', username: 'anna', password: 'anna-acme-passphrase', name: 'Anna Berg' },
  acmeFulfiller: { tenant: 'acme', username: 'fred', password: 'fred-acme-passphrase', name: 'Fred Lang' },
  acmeSupervisor: { tenant: 'acme', username: 'sue', password: 'sue-acme-passphrase', name: 'Sue Kim' },
  acmeInactive: { tenant: 'acme', username: 'ivan', password: 'ivan-acme-passphrase', name: 'Ivan Old' },
  acmeLena: { tenant: 'acme', username: 'lena', password: 'lena-acme-passphrase', name: 'Lena Roth' },
  // Signs in only in the account page's test, which counts her sign-ins.
  acmePia: { tenant: 'acme', username: 'pia', password: 'pia-acme-passphrase', name: 'Pia Weiss' },
  // Only the brute-force spec signs in as otto.
  acmeOtto: { tenant: 'acme', username: 'otto', password: 'otto-acme-passphrase', name: 'Otto Brandt' },
  globexAdmin: { tenant: 'globex', username: 'anna', password: 'anna-globex-passphrase', name: 'Anna Globex' },
  globexGina: { tenant: 'globex', username: 'gina', password: 'gina-globex-passphrase', name: 'Gina Stone' },
};
export type Account = (typeof accounts)[keyof typeof accounts];

/** Where screenshots of each screen go, for people to look at. */
export const shot = (name: string) => `test-results/screens/${name}.png`;

export class LoginPage {
  constructor(readonly page: Page) {}

  username = () => this.page.getByLabel('Username');
  password = () => this.page.getByLabel('Password', { exact: true });
  submit = () => this.page.getByRole('button', { name: /^Log(ging)? in/ });
  alert = () => this.page.getByRole('alert');

  async open(tenant: string) {
    await this.page.goto(tenantUrl(tenant, '/login'));
    await expect(this.username()).toBeVisible();
  }

  async logIn(username: string, password: string) {
    await this.username().fill(username);
    await this.password().fill(password);
    await this.submit().click();
  }

  async signInAs(account: Account) {
    await this.open(account.tenant);
    await this.logIn(account.username, account.password);
    await expect(this.page.getByRole('button', { name: /profile|account menu/i })).toBeVisible();
  }
}

export class Shell {
  constructor(readonly page: Page) {}

  profileButton = () => this.page.getByRole('button', { name: /profile|account menu/i });

  async openMenu() {
    await this.profileButton().click();
    await expect(this.page.getByRole('menu')).toBeVisible();
  }

  async logOut() {
    await this.openMenu();
    await this.page.getByRole('menuitem', { name: 'Log out' }).click();
    await expect(this.page.getByLabel('Username')).toBeVisible();
  }
}
