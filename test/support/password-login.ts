import { totp } from '../../src/dev-idp/state/totp';
import { csrfFrom, Credentials } from './browser-login';
import { KICKSTART_DEFAULTS as K } from './dev-idp';
import { HttpClient } from './http-client';

/** The authenticator code for a base64 secret (FusionAuth's form of it), now or at `atMs`. */
export function totpCode(secret: string = K.twoFactor.secret, atMs = Date.now()): string {
  return totp(Buffer.from(secret, 'base64'), atMs);
}

/** The service's own login form: its CSRF token, then the POST. Returns the POST's answer. */
export async function submitPasswordLogin(
  browser: HttpClient,
  credentials: Credentials,
  extra: Record<string, string> = {},
): Promise<Response> {
  const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
  return browser.post('/auth/password-login', {
    _csrf: csrf,
    email: credentials.email,
    password: credentials.password,
    ...extra,
  });
}

export interface StepPage {
  readonly path: string;
  readonly html: string;
  readonly csrf: string;
  /** The step handle the page's form carries. */
  readonly handle: string;
}

/** Follows a 303 to a step's page and reads its form. */
export async function stepPage(browser: HttpClient, redirect: Response): Promise<StepPage> {
  if (redirect.status !== 303)
    throw new Error(`expected a 303 to a step, got ${redirect.status}: ${await redirect.text()}`);
  const path = redirect.headers.get('location')!;
  return readStep(browser, path);
}

export async function readStep(browser: HttpClient, path: string): Promise<StepPage> {
  const res = await browser.get(path);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`step page ${path} answered ${res.status}`);
  const handle = /name="step" value="([^"]+)"/.exec(html)?.[1];
  if (!handle) throw new Error(`no step handle on ${path}`);
  return { path, html, csrf: csrfFrom(html), handle };
}

/** Submits a step's form (its CSRF token and handle included). */
export function submitStep(browser: HttpClient, step: StepPage, form: Record<string, string>): Promise<Response> {
  return browser.post(step.path, { _csrf: step.csrf, step: step.handle, ...form });
}
