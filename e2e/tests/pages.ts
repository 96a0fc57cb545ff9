// Page objects for the screens several specs use, and the seeded accounts
// (see ../start-server.sh).
import AxeBuilder from '@axe-core/playwright';
import { expect, Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  // Only the password reset spec uses rita, reto and eva, who have email addresses.
  acmeRita: {
    tenant: 'acme',
    username: 'rita',
    password: 'rita-acme-passphrase',
    name: 'Rita Vogel',
    email: 'rita@acme.example',
  },
  acmeReto: {
    tenant: 'acme',
    username: 'reto',
    password: 'reto-acme-passphrase',
    name: 'Reto Frei',
    email: 'reto@acme.example',
  },
  acmeEva: {
    tenant: 'acme',
    username: 'eva',
    password: 'eva-acme-passphrase',
    name: 'Eva Alt',
    email: 'eva@acme.example',
  },
  // Only the account settings spec uses these (see ../start-server.sh).
  acmeCarla: {
    tenant: 'acme',
    username: 'carla',
    password: 'carla-acme-passphrase',
    name: 'Carla Mendes',
    email: 'carla@acme.example',
  },
  acmeKai: { tenant: 'acme', username: 'kai', password: 'kai-acme-passphrase', name: 'Kai Brun' },
  acmeNina: { tenant: 'acme', username: 'nina', password: 'nina-acme-passphrase', name: 'Nina Adler' },
  acmeSam: { tenant: 'acme', username: 'sam', password: 'sam-acme-passphrase', name: 'Sam Ortiz' },
  // Has a temporary password: signing in leads to the choose-password screen.
  acmeTom: { tenant: 'acme', username: 'tom', password: 'tom-temporary-pass', name: 'Tom Ried' },
  // Only the language spec uses greta and jonas, whose accounts speak German.
  acmeGreta: { tenant: 'acme', username: 'greta', password: 'greta-acme-passphrase', name: 'Greta Hahn' },
  acmeJonas: {
    tenant: 'acme',
    username: 'jonas',
    password: 'jonas-acme-passphrase',
    name: 'Jonas Wolf',
    email: 'jonas@acme.example',
  },
  // Only the Users screens' spec uses uma, hugo and olga.
  acmeUma: { tenant: 'acme', username: 'uma', password: 'uma-acme-passphrase', name: 'Uma Stein' },
  acmeHugo: { tenant: 'acme', username: 'hugo', password: 'hugo-acme-passphrase', name: 'Hugo Falk' },
  acmeOlga: { tenant: 'acme', username: 'olga', password: 'olga-acme-passphrase', name: 'Olga Kern' },
  acmeBen: { tenant: 'acme', username: 'ben', password: 'ben-acme-passphrase', name: 'Ben Graf' },
  globexAdmin: { tenant: 'globex', username: 'anna', password: 'anna-globex-passphrase', name: 'Anna Globex' },
  globexGina: { tenant: 'globex', username: 'gina', password: 'gina-globex-passphrase', name: 'Gina Stone' },
};
export type Account = (typeof accounts)[keyof typeof accounts];

/** No serious or critical accessibility violations (axe) on the page as it is. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const grave = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(grave).toEqual([]);
}

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

/** A mail the SMTP catcher wrote (see ../start-server.sh). */
export interface Mail {
  file: string;
  to: string;
  subject: string;
  /** The text/plain part, decoded (quoted-printable or base64). */
  text: string;
}

/** The SMTP catcher's folder, read as the mails arrive. */
export class Mailbox {
  readonly dir = path.join(process.env.E2E_MAIL_DIR ?? '', 'new');

  all(): Mail[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir)
      .map((name) => path.join(this.dir, name))
      .map((file) => ({ file, raw: fs.readFileSync(file, 'latin1'), mtime: fs.statSync(file).mtimeMs }))
      .sort((a, b) => a.mtime - b.mtime)
      .map(({ file, raw }) => parseMail(file, raw));
  }

  /** Waits for a mail to `to` that is not among `seen` and matches `accept`. */
  async next(to: string, seen: Mail[] = [], accept: (mail: Mail) => boolean = () => true): Promise<Mail> {
    const known = new Set(seen.map((mail) => mail.file));
    let found: Mail | undefined;
    await expect
      .poll(
        () => {
          found = this.all().find((mail) => !known.has(mail.file) && mail.to.includes(to) && accept(mail));
          return found !== undefined;
        },
        { message: `a mail to ${to}`, timeout: 20_000 },
      )
      .toBe(true);
    return found as Mail;
  }
}

/** One MIME entity: its headers (names lower-cased, lines unfolded) and body. */
function entity(raw: string) {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The decoded text parts of an entity, depth first: [content type, text]. */
function textParts(raw: string): [string, string][] {
  const { headers, body } = entity(raw);
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const boundary = (headers.get('content-type') ?? '').match(/boundary="?([^";]+)"?/i)?.[1];
  if (type.startsWith('multipart/') && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((part) => !part.startsWith('--'))
      .flatMap((part) => textParts(part.replace(/^\r?\n/, '')));
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  let bytes: Buffer;
  if (encoding === 'base64') {
    bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  } else if (encoding === 'quoted-printable') {
    // Soft line breaks (`=` at the end of a line), then `=3D` and the like.
    const joined = body.replace(/=\r?\n/g, '');
    bytes = Buffer.from(
      joined.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
  } else {
    bytes = Buffer.from(body, 'latin1');
  }
  return [[type.split(';')[0].trim(), bytes.toString('utf8')]];
}

function parseMail(file: string, raw: string): Mail {
  const { headers } = entity(raw);
  const parts = textParts(raw);
  const plain = parts.find(([type]) => type === 'text/plain') ?? parts[0];
  return {
    file,
    to: decodeWords(headers.get('to') ?? ''),
    subject: decodeWords(headers.get('subject') ?? ''),
    text: plain?.[1] ?? '',
  };
}

/** RFC 2047 encoded words (`=?utf-8?q?…?=`, `=?utf-8?b?…?=`) in a header. */
function decodeWords(value: string): string {
  return value.replace(/=\?[^?]+\?([bqBQ])\?([^?]*)\?=\s*/g, (_, encoding: string, data: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** The set-a-new-password link in a reset mail. */
export const resetLink = (mail: Mail) => {
  const match = mail.text.match(/https?:\/\/[^\s"<>]+\/reset-password#token=[A-Za-z0-9_-]+/);
  if (!match) throw new Error(`no reset link in ${mail.file}`);
  return match[0];
};

export class ForgotPasswordPage {
  constructor(readonly page: Page) {}

  username = () => this.page.getByLabel('Username');
  submit = () => this.page.getByRole('button', { name: /^(Reset password|Sending)/ });

  async open(tenant: string) {
    await this.page.goto(tenantUrl(tenant, '/forgot-password'));
    await expect(this.username()).toBeVisible();
  }

  async request(username: string) {
    await this.username().fill(username);
    await this.submit().click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  }
}

export class ResetPasswordPage {
  constructor(readonly page: Page) {}

  newPassword = () => this.page.getByLabel('New password', { exact: true });
  confirmation = () => this.page.getByLabel('Confirm new password');
  submit = () => this.page.getByRole('button', { name: /^(Set new password|Setting password)/ });
  rule = (text: string | RegExp) => this.page.locator('.password-rule', { hasText: text });
  strength = () => this.page.locator('.strength-text');

  async setPassword(password: string, confirmation = password) {
    await this.newPassword().fill(password);
    await this.confirmation().fill(confirmation);
    await this.submit().click();
  }
}
