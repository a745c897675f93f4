import { csrfFrom } from './support/browser-login';
import { KICKSTART_DEFAULTS as K } from './support/dev-idp';
import { HttpClient } from './support/http-client';
import { Stack, startStack } from './support/stack';

/** What every page gets from res.locals: the CSRF token, the signed-in user and a flash message. */
describe('page locals', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  async function signedIn(email: string, password = 'password'): Promise<HttpClient> {
    const browser = new HttpClient(stack.app.url);
    const csrf = csrfFrom(await (await browser.get('/auth/password-login')).text());
    expect((await browser.post('/auth/password-login', { _csrf: csrf, email, password })).status).toBe(302);
    return browser;
  }

  it('shows the message of a change on the next page once, and the signed-in user in the header', async () => {
    const browser = await signedIn(K.richard.email);
    const form = await (await browser.get('/account/password')).text();
    const changed = await browser.post('/account/password', {
      _csrf: csrfFrom(form),
      currentPassword: 'password',
      newPassword: 'pied-piper-compression',
      confirmPassword: 'pied-piper-compression',
    });
    expect(changed.status).toBe(303);
    const next = await (await browser.get('/account')).text();
    expect(next).toContain('Your password was changed. Your other sessions have ended.');
    expect(next).toContain('<a class="signed-in" href="/account">Richard Hendricks</a>');
    expect(await (await browser.get('/account')).text()).not.toContain('Your password was changed.');
  });

  it('gives a form its token and sets no CSRF cookie for a page that has no form', async () => {
    const visitor = new HttpClient(stack.app.url);
    const failed = await visitor.get('/auth/callback?state=nothing&code=nothing');
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(failed.headers.getSetCookie().filter((c) => /^(__Host-)?csrf=/.test(c))).toEqual([]);
    expect(await failed.text()).not.toContain('class="signed-in"');
    const form = await visitor.get('/auth/password-login');
    expect(csrfFrom(await form.text())).toMatch(/\S/);
    expect(form.headers.getSetCookie().some((c) => c.startsWith('csrf='))).toBe(true);
  });

  it("gives a signed-in session's forms one token of 256 random bits, kept in the session, the same on every page", async () => {
    const browser = await signedIn(K.admin.email);
    const token = csrfFrom(await (await browser.get('/account')).text());
    // Ample against guessing, and short: the session holding it is read, hashed and parsed on every page.
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(csrfFrom(await (await browser.get('/account/password')).text())).toBe(token);
  });
});
