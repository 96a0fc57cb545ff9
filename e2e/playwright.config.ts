// Browser tests in Debian's Chromium against the real backend, which
// start-server.sh seeds and starts. Tenants are reached by host name:
// http://acme.localhost:PORT and http://globex.localhost:PORT resolve to
// loopback in Chromium without touching /etc/hosts.
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 18181);
process.env.E2E_PORT = String(port);

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
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
