import { existsSync, mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page, Request } from 'playwright-core';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { totpCode } from '../support/password-login';
import { Stack, startStack } from '../support/stack';

/** Debian's Chromium (`apt-get install chromium`); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', 'test-results');
// Without Chromium the suite cannot run: CI installs it (and fails loudly if it is missing).
const describeInBrowser = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;
if (!existsSync(CHROMIUM) && !process.env.CI) {
  // eslint-disable-next-line no-console -- say why a suite did not run
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

describeInBrowser('the pages in a real browser', () => {
  let browser: Browser;
  let stack: Stack;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Another site for the hostile-page test: evil.test is 127.0.0.1 under another site's name.
        '--host-resolver-rules=MAP evil.test 127.0.0.1',
      ],
    });
  });
  afterAll(async () => browser?.close());
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await stack.close();
  });

  /** A fresh profile (its own cookies), and a screenshot of every page of it if the test fails. */
  async function newPage(): Promise<Page> {
    const context = await browser.newContext();
    // Fail well inside the test's own time limit, so the screenshots get taken.
    context.setDefaultTimeout(8000);
    contexts.push(context);
    return context.newPage();
  }

  async function withScreenshots(name: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      let i = 0;
      for (const context of contexts) {
        for (const page of context.pages())
          await page
            .screenshot({ path: join(SCREENSHOTS, `${name}-${i++}.png`), fullPage: true })
            .catch(() => undefined);
      }
      throw error;
    }
  }

  /** Through the dev IdP's hosted login page. */
  async function logInAtProvider(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${stack.app.url}/`);
    await page.getByRole('link', { name: 'Log in with FusionAuth' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${stack.app.url}/account`);
  }

  /** Through the service's own form on the start page (no session at the provider). */
  async function logInWithForm(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${stack.app.url}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${stack.app.url}/account`);
  }

  const isProviderLoginPage = async (page: Page) =>
    page.url().startsWith(`${stack.idp.url}/oauth2/interaction/`) && (await page.getByLabel('Password').count()) === 1;

  it('logs in at the provider, changes the password (ending the other session) and logs out', async () => {
    await withScreenshots('password-change', async () => {
      const laptop = await newPage();
      await logInAtProvider(laptop, K.richard.email, 'password');
      await expectText(laptop, 'Richard Hendricks');
      await expectText(laptop, 'richard@example.com');

      const phone = await newPage();
      await logInWithForm(phone, K.richard.email, 'password');
      await laptop.reload();
      expect(await laptop.locator('table.sessions tbody tr').count()).toBe(2);

      await laptop.getByRole('link', { name: 'Change password' }).click();
      await laptop.getByLabel('Current password').fill('password');
      await laptop.getByLabel('New password', { exact: true }).fill('correct-horse-battery');
      await laptop.getByLabel('New password, again').fill('correct-horse-battery');
      await laptop.getByRole('button', { name: 'Change password' }).click();
      await laptop.waitForURL(`${stack.app.url}/account?password=changed`);
      expect(await laptop.locator('table.sessions tbody tr').count()).toBe(1);

      await phone.reload();
      expect(await isProviderLoginPage(phone)).toBe(true);

      await laptop.getByRole('button', { name: 'Log out' }).click();
      await laptop.waitForURL(`${stack.app.url}/`, { timeout: 10_000 });
      await expectText(laptop, 'Welcome');
      await laptop.goto(`${stack.app.url}/account`);
      expect(await isProviderLoginPage(laptop)).toBe(true);
    });
  });

  it('registers a new user, who lands signed in on their account page', async () => {
    await withScreenshots('register', async () => {
      const page = await newPage();
      await page.goto(`${stack.app.url}/`);
      await page.getByRole('link', { name: 'Create account' }).click();
      await page.getByLabel('First name').fill('Monica');
      await page.getByLabel('Last name').fill('Hall');
      await page.getByLabel('Email').fill('monica@example.com');
      await page.getByLabel('Password', { exact: true }).fill('raviga-capital');
      await page.getByLabel('Password, again').fill('raviga-capital');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${stack.app.url}/account`);
      await expectText(page, 'Monica Hall');
      await expectText(page, 'monica@example.com');
    });
  });

  it('an admin deactivates richard, whose next page load lands on the login page', async () => {
    await withScreenshots('deactivate', async () => {
      const richard = await newPage();
      await logInWithForm(richard, K.richard.email, 'password');
      const admin = await newPage();
      await logInWithForm(admin, K.admin.email, 'password');
      await admin.getByRole('link', { name: 'Manage users' }).click();
      await admin.getByLabel('Find a user by email').fill(K.richard.email);
      await admin.getByRole('button', { name: 'Find' }).click();
      await admin.getByRole('button', { name: 'Deactivate' }).click();
      await expectText(admin, 'The user was deactivated.');

      await richard.reload();
      expect(await isProviderLoginPage(richard)).toBe(true);
    });
  });

  it("shows times and the provider by name, and lists the application's users: paged, searchable, with their status", async () => {
    await withScreenshots('users-list', async () => {
      const tag = Date.now().toString(36);
      const members: string[] = [];
      for (let i = 0; i < 11; i++) {
        const { response } = await stack.fusionAuth.register('', {
          user: {
            email: `member-${i}-${tag}@example.com`,
            password: 'long-enough-1',
            firstName: 'Member',
            lastName: `${i}`,
          },
          registration: { applicationId: K.applicationId, roles: ['user'] },
        });
        members.push(response.user!.id!);
      }
      await stack.fusionAuth.deactivateUser(members[0]!);

      const admin = await newPage();
      await logInAtProvider(admin, K.admin.email, 'password');
      await expectText(admin, 'via FusionAuth');
      const signedIn = admin.locator('time').first();
      expect(await signedIn.getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(await signedIn.textContent()).toMatch(
        /^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC \((just now|\d+ minutes? ago)\)$/,
      );
      await shoot(admin, 'account');

      await admin.getByRole('link', { name: 'Manage users' }).click();
      const rows = admin.locator('table.users tbody tr');
      expect(await rows.count()).toBe(10);
      await expectText(admin, 'Page 1 of 2');
      const statusOf = (id: string) => admin.locator(`tr[data-user="${id}"] .status`).textContent();
      // Sorted by email: the members come before richard.
      expect(await statusOf(members[0]!)).toBe('deactivated');
      expect(await statusOf(members[1]!)).toBe('active');
      await shoot(admin, 'admin-users');

      await admin.getByRole('link', { name: 'Next' }).click();
      await expectText(admin, 'Page 2 of 2');
      expect(await rows.count()).toBeGreaterThan(0);

      await admin.getByLabel("Search this application's users").fill('richard');
      await admin.getByRole('button', { name: 'Search' }).click();
      await admin.waitForURL(/search=richard/);
      expect(await rows.count()).toBe(1);
      expect(await statusOf(K.richard.id)).toBe('active');
      await expectText(admin, 'richard@example.com');
    });
  });

  it("logging out at the provider ends the service's session through a real iframe, without iss or sid", async () => {
    await withScreenshots('sso-logout', async () => {
      const page = await newPage();
      await logInAtProvider(page, K.richard.email, 'password');
      const framed = page.waitForResponse((r) => r.url().startsWith(`${stack.app.url}/auth/frontchannel-logout`));
      // Another application of the tenant sends the browser to FusionAuth's logout.
      const back = encodeURIComponent(`${stack.app.url}/`);
      await page.goto(`${stack.idp.url}/oauth2/logout?client_id=${K.applicationId}&post_logout_redirect_uri=${back}`);
      const response = await framed;
      expect(response.url()).toBe(`${stack.app.url}/auth/frontchannel-logout`);
      expect(response.frame()).not.toBe(page.mainFrame());
      expect(await response.request().allHeaders()).toMatchObject({ 'sec-fetch-dest': 'iframe' });
      await page.waitForURL(`${stack.app.url}/`, { timeout: 10_000 });
      await page.goto(`${stack.app.url}/account`);
      expect(await isProviderLoginPage(page)).toBe(true);
    });
  });

  it('a link, an image and an iframe on another site log no one out (the link carries the Lax cookie)', async () => {
    const logoutUrl = `${stack.app.url}/auth/frontchannel-logout`;
    const evil = await servePage(
      `<!doctype html><a id="go" href="${logoutUrl}">a prize</a>` +
        `<img src="${logoutUrl}" alt=""><iframe src="${logoutUrl}"></iframe>`,
    );
    try {
      await withScreenshots('hostile-logout', async () => {
        const page = await newPage();
        await logInWithForm(page, K.richard.email, 'password');
        // The image and the frame go without our cookie (SameSite=Lax) and are blocked by the browser.
        const settled = (type: string) =>
          new Promise<void>((resolve) => {
            const done = (r: Request) => void (r.url() === logoutUrl && r.resourceType() === type && resolve());
            page.on('requestfinished', done);
            page.on('requestfailed', done);
          });
        const subresources = Promise.all([settled('image'), settled('document')]);
        await page.goto(`http://evil.test:${evil.port}/`);
        await subresources;
        // The link is a top-level navigation: the Lax cookie goes with it, and the service refuses it.
        await page.click('#go');
        await page.waitForURL(logoutUrl);
        expect(stack.app.logger.of('warn').join('\n')).toContain(
          'not framed by default (Sec-Fetch-Dest document, Sec-Fetch-Site cross-site): ignored',
        );
        await page.goto(`${stack.app.url}/account`);
        await page.waitForURL(`${stack.app.url}/account`);
        await expectText(page, 'Richard Hendricks');
      });
    } finally {
      await new Promise<void>((resolve) => evil.server.close(() => resolve()));
    }
  });

  it('a two-factor user signs in through the own form: password, then the authenticator code', async () => {
    await withScreenshots('two-factor-form', async () => {
      const page = await newPage();
      await page.goto(`${stack.app.url}/`);
      await page.getByLabel('Email').fill(K.twoFactor.email);
      await page.getByLabel('Password').fill(K.twoFactor.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${stack.app.url}/auth/password-login/two-factor`);
      await page.getByLabel('Code').fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expectText(page, 'That code is not correct');
      await page.getByLabel('Code').fill(totpCode());
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(`${stack.app.url}/account`);
      await expectText(page, 'Jared Dunn');
    });
  });

  it("a two-factor user signs in through the dev IdP's hosted login page", async () => {
    await withScreenshots('two-factor-hosted', async () => {
      const page = await newPage();
      await page.goto(`${stack.app.url}/`);
      await page.getByRole('link', { name: 'Log in with FusionAuth' }).click();
      await page.getByLabel('Email').fill(K.twoFactor.email);
      await page.getByLabel('Password').fill(K.twoFactor.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByLabel('Code').fill(totpCode());
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(`${stack.app.url}/account`);
      await expectText(page, 'Jared Dunn');
      await expectText(page, 'two-factor@example.com');
    });
  });

  /** A screenshot kept whatever the outcome: what the pages look like to people. */
  async function shoot(page: Page, name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  async function expectText(page: Page, text: string): Promise<void> {
    expect(await page.getByText(text, { exact: false }).first().isVisible()).toBe(true);
  }
});

/** One static page on 127.0.0.1:<free port> (reached as evil.test: another site). */
async function servePage(html: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}
