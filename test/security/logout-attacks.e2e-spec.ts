import { loginThroughProvider } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { Stack, startStack } from '../support/stack';

/**
 * `GET /auth/frontchannel-logout` without `iss` and `sid` is how FusionAuth calls it, and also what
 * any page can make a victim's browser send: a top-level link carries the `SameSite=Lax` cookie.
 * Only a frame of the provider's own page may end the session (logout CSRF otherwise). Headers are
 * set as the browser would send them for each kind of request; no page can set them itself.
 */
describe('front-channel logout against hostile pages', () => {
  let stack: Stack;
  let providerOrigin: string;

  beforeAll(async () => {
    stack = await startStack();
    providerOrigin = new URL(stack.idp.issuer).origin;
  });
  afterAll(async () => stack.close());

  async function signedIn(): Promise<HttpClient> {
    const browser = new HttpClient(stack.app.url);
    await loginThroughProvider(browser, K.richard);
    expect((await browser.get('/account')).status).toBe(200);
    return browser;
  }
  const signedInStill = async (browser: HttpClient) => (await browser.get('/account')).status === 200;

  /** The bare logout URL as FusionAuth frames it, with this browser's cookie and the given headers. */
  async function bareLogout(browser: HttpClient, headers: Record<string, string>): Promise<Response> {
    const res = await browser.get('/auth/frontchannel-logout', headers);
    expect(res.status).toBe(200);
    return res;
  }

  it('ends the session when the provider frames it (the control: the others differ in one header)', async () => {
    const browser = await signedIn();
    await bareLogout(browser, {
      'sec-fetch-dest': 'iframe',
      'sec-fetch-site': 'same-site',
      referer: `${providerOrigin}/`,
    });
    expect(await signedInStill(browser)).toBe(false);
  });

  it('ends nothing for a top-level link from another site, which carries the Lax cookie', async () => {
    const browser = await signedIn();
    await bareLogout(browser, {
      'sec-fetch-dest': 'document',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-site': 'cross-site',
      referer: 'https://evil.example/',
    });
    expect(await signedInStill(browser)).toBe(true);
  });

  it('ends nothing for an image (or script, or fetch) on a page of this site', async () => {
    const browser = await signedIn();
    for (const dest of ['image', 'script', 'empty'])
      await bareLogout(browser, {
        'sec-fetch-dest': dest,
        'sec-fetch-site': 'same-site',
        referer: `${providerOrigin}/`,
      });
    expect(await signedInStill(browser)).toBe(true);
  });

  it("ends nothing for an iframe on another site's page, even if the cookie came along", async () => {
    const browser = await signedIn();
    await bareLogout(browser, { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site' });
    await bareLogout(browser, {
      'sec-fetch-dest': 'iframe',
      'sec-fetch-site': 'cross-site',
      referer: 'https://evil.example/',
    });
    expect(await signedInStill(browser)).toBe(true);
  });

  it('ends nothing for an iframe on a page of this site that is not the provider', async () => {
    const browser = await signedIn();
    await bareLogout(browser, {
      'sec-fetch-dest': 'iframe',
      'sec-fetch-site': 'same-site',
      referer: 'http://127.0.0.1:1/blog/post',
    });
    expect(await signedInStill(browser)).toBe(true);
  });

  it('ends nothing from a browser without Fetch Metadata, unless the provider is the referrer', async () => {
    const browser = await signedIn();
    await bareLogout(browser, {});
    await bareLogout(browser, { referer: 'https://evil.example/' });
    expect(await signedInStill(browser)).toBe(true);
    await bareLogout(browser, { referer: `${providerOrigin}/oauth2/logout` });
    expect(await signedInStill(browser)).toBe(false);
  });

  it('ends nothing for a request naming only one of iss and sid, however it is framed', async () => {
    const browser = await signedIn();
    const framed = { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'same-site', referer: `${providerOrigin}/` };
    for (const query of [`iss=${encodeURIComponent(stack.idp.issuer)}`, 'sid=anything'])
      expect((await browser.get(`/auth/frontchannel-logout?${query}`, framed)).status).toBe(200);
    expect(await signedInStill(browser)).toBe(true);
  });
});
