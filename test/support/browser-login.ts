import { HttpClient } from './http-client';

export interface Credentials {
  readonly email: string;
  readonly password: string;
  /** For a two-factor user: the code to type when the provider's page asks for one. */
  readonly code?: () => string;
}

/** The hidden `_csrf` field of a page's form. */
export function csrfFrom(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

export interface BrowserLogin {
  /** Every URL the browser visited, in order. */
  readonly urls: string[];
  /** The authorization request the service sent the browser to. */
  readonly authorize: URL;
  readonly final: Response;
}

/**
 * Logs in as a browser would: the service's /auth/login, the provider's login form, the redirects
 * back, and the service's callback. Returns the callback's answer (or the first non-redirect).
 */
export async function loginThroughProvider(
  browser: HttpClient,
  credentials: Credentials,
  start = '/auth/login',
): Promise<BrowserLogin> {
  const urls: string[] = [];
  const go = async (url: string, init?: Parameters<HttpClient['request']>[1]) => {
    urls.push(url);
    return browser.request(url, init);
  };
  let res = await go(new URL(start, browser.baseUrl).href);
  let authorize: URL | undefined;
  let current = new URL(start, browser.baseUrl).href;
  const callback = new URL('/auth/callback', browser.baseUrl).href;
  for (let hops = 0; hops < 20; hops++) {
    if (current.startsWith(callback)) break;
    if (res.status >= 300 && res.status < 400) {
      current = new URL(res.headers.get('location')!, current).href;
      if (!authorize && current.includes('/oauth2/authorize')) authorize = new URL(current);
      res = await go(current);
      continue;
    }
    const html = await res.clone().text();
    if (res.status === 200 && html.includes('name="loginId"')) {
      const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
      current = new URL(action, current).href;
      res = await go(current, { method: 'POST', form: { loginId: credentials.email, password: credentials.password } });
      continue;
    }
    const twoFactorId = /name="twoFactorId" value="([^"]+)"/.exec(html)?.[1];
    if (res.status === 200 && twoFactorId && credentials.code) {
      const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
      current = new URL(action, current).href;
      res = await go(current, { method: 'POST', form: { twoFactorId, code: credentials.code() } });
      continue;
    }
    break;
  }
  if (!authorize) throw new Error(`the service never sent the browser to the provider: ${urls.join(' -> ')}`);
  return { urls, authorize, final: res };
}
