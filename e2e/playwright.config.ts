// Browser tests in Debian's Chromium against the real backend, which
// start-server.sh seeds and starts. Tenants are reached by host name:
// http://acme.localhost:PORT and http://globex.localhost:PORT resolve to
// loopback in Chromium without touching /etc/hosts.
//
// Mail goes to a real SMTP catcher that start-server.sh starts on
// E2E_SMTP_PORT; it writes each message as a file into E2E_MAIL_DIR/new/,
// where the specs read it. Both are set here, once, and reach the server
// script and the test workers through the environment.
import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const port = Number(process.env.E2E_PORT ?? 18181);
process.env.E2E_PORT = String(port);
process.env.E2E_SMTP_PORT ??= String(port + 1);
// The OpenID provider that start-server.sh starts for acme's single sign-on.
process.env.E2E_IDP_PORT ??= String(port + 2);
// Workers load this file again with the runner's environment: only the
// runner picks the folder and clears it (the catcher wants a folder that does
// not exist yet).
if (!process.env.E2E_MAIL_DIR_READY) {
  process.env.E2E_MAIL_DIR ??= path.join(os.tmpdir(), `backoffice-e2e-mail-${port}-${Date.now()}`);
  fs.rmSync(process.env.E2E_MAIL_DIR, { recursive: true, force: true });
  // The server's data folder (SQLite): the reset spec ages a link in it.
  process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `backoffice-e2e-data-${port}-${Date.now()}`);
  fs.rmSync(process.env.E2E_DATA_DIR, { recursive: true, force: true });
  process.env.E2E_MAIL_DIR_READY = '1';
}

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://acme.localhost:${port}`,
    // The app speaks the browser's language before sign-in: the specs read
    // English unless they ask for another (i18n.spec.ts).
    locale: 'en-US',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'bash ./start-server.sh',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    // SIGTERM first, so start-server.sh stops the SMTP catcher and removes
    // its folders; the process group is killed if that takes too long.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
