import { CookieJar } from 'tough-cookie';

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  json?: unknown;
  body?: string;
}

/**
 * A minimal browser for tests: real HTTP, a cookie jar, redirects not followed (tests look at each
 * hop). `follow` walks redirects the way a browser would.
 */
export class HttpClient {
  readonly jar = new CookieJar();

  constructor(readonly baseUrl: string) {}

  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(path, this.baseUrl).toString();
    const headers: Record<string, string> = { ...options.headers };
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    let body = options.body;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(url, {
      method: options.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const setCookie of res.headers.getSetCookie()) await this.jar.setCookie(setCookie, url);
    // Like a browser loading the page, the whole answer arrives before the next request goes:
    // express-session sends the headers first and ends the body once its save is done.
    await res.clone().arrayBuffer();
    return res;
  }

  get(path: string, headers?: Record<string, string>): Promise<Response> {
    return this.request(path, { headers });
  }

  post(path: string, form: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { method: 'POST', form });
  }

  /** A POST that carries the session's CSRF token, fetched from `csrfPath` (a test-only route). */
  async postWithCsrf(path: string, form: Record<string, string> = {}, csrfPath = '/test/csrf'): Promise<Response> {
    const { token } = (await (await this.get(csrfPath)).json()) as { token: string };
    return this.post(path, { ...form, _csrf: token });
  }

  /** Follows redirects like a browser; returns the final response and every URL visited. */
  async follow(path: string, options: RequestOptions = {}, max = 10): Promise<{ res: Response; urls: string[] }> {
    const urls: string[] = [];
    let res = await this.request(path, options);
    urls.push(new URL(path, this.baseUrl).toString());
    while (res.status >= 300 && res.status < 400 && urls.length <= max) {
      const next = new URL(res.headers.get('location') ?? '', urls[urls.length - 1]).toString();
      urls.push(next);
      res = await this.request(next);
    }
    return { res, urls };
  }

  async cookie(name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(this.baseUrl);
    return cookies.find((c) => c.key === name)?.value;
  }
}
