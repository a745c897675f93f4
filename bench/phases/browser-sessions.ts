import { KICKSTART_DEFAULTS as K } from '../../test/support/dev-idp';
import { loginThroughProvider } from '../../test/support/browser-login';
import { HttpClient } from '../../test/support/http-client';
import { request } from '../support/http';

/**
 * A browser that logged in through the dev IdP's login page (authorization code flow), as a user
 * would: the Cookie header it then sends to `page`, checked to open the page as richard.
 */
export async function browserSession(baseUrl: string, loginPath: string, page: string): Promise<string> {
  const browser = new HttpClient(baseUrl);
  const login = await loginThroughProvider(browser, K.richard, loginPath);
  const cookie = await browser.jar.getCookieString(new URL(page, baseUrl).href);
  const answer = await request(new URL(page, baseUrl).href, { headers: { cookie } });
  if (answer.status !== 200 || !answer.body.includes(K.richard.email)) {
    throw new Error(
      `GET ${page} on ${baseUrl} after logging in (${login.urls.map((u) => new URL(u).pathname).join(' -> ')}) ` +
        `answered ${answer.status}${answer.status === 200 ? " without the user's email" : ''}`,
    );
  }
  return cookie;
}
