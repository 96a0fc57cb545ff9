// Brute-force protection as the account's owner meets it: a stranger's
// guesses slow strangers down, while the browser the owner signed in on
// before (it holds a device cookie) still lets her in.
import { expect, test } from '@playwright/test';
import { accounts, LoginPage, port, Shell, shot } from './pages';

const otto = accounts.acmeOtto;

test("a stranger's 150 failures do not keep the owner out of a browser she used before", async ({
  page,
  browser,
  request,
}) => {
  const login = new LoginPage(page);
  await login.signInAs(otto);
  await new Shell(page).logOut();

  // 150 wrong guesses from 50 addresses (three each), as a botnet would.
  for (let i = 0; i < 150; i++) {
    const response = await request.post(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      headers: { Host: `acme.localhost:${port}`, 'X-Forwarded-For': `198.51.100.${Math.floor(i / 3)}` },
      data: { username: otto.username, password: `stranger guess ${i}` },
    });
    expect(response.status()).toBe(401);
  }

  // A browser that never signed in as otto is held back, right password or not.
  const elsewhere = await browser.newContext();
  const strangerPage = await elsewhere.newPage();
  const strangerLogin = new LoginPage(strangerPage);
  await strangerLogin.open('acme');
  await strangerLogin.logIn(otto.username, otto.password);
  await expect(strangerLogin.alert()).toHaveText('Incorrect username or password.');
  await elsewhere.close();

  // Otto's own browser signs in.
  await login.logIn(otto.username, otto.password);
  await expect(page.getByRole('heading', { name: 'Network overview' })).toBeVisible();
  await page.screenshot({ path: shot('owner-signed-in-despite-strangers'), fullPage: true });
});
