import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { BrowserRoute, MachineRoute } from '../../src/common/http/route-kind.decorator';
import { Public } from '../../src/common/public.decorator';
import { csrfFrom } from '../support/browser-login';
import { KICKSTART_DEFAULTS as K } from '../support/dev-idp';
import { HttpClient } from '../support/http-client';
import { Stack, startStack } from '../support/stack';

/**
 * Express routes case-insensitively and ignores a trailing slash; a route's kind is its
 * declaration, so no spelling of a machine route takes a browser session (the ambient cookie any
 * site can make a browser send, and which skips nothing less than CSRF and re-authentication), and
 * no page takes a bearer token.
 */
/** Whether a route of each kind was handed the browser's session (test only). */
@Controller('probe')
class SessionProbeController {
  @MachineRoute()
  @Public()
  @Get('machine')
  machine(@Req() req: Request): { session: boolean } {
    return { session: req.session !== undefined };
  }

  @BrowserRoute()
  @Public()
  @Get('browser')
  browser(@Req() req: Request): { session: boolean } {
    return { session: req.session?.user !== undefined };
  }
}

describe('route kinds against hostile spellings', () => {
  let stack: Stack;
  let admin: HttpClient;

  beforeAll(async () => {
    stack = await startStack({ controllers: [SessionProbeController] });
    admin = new HttpClient(stack.app.url);
    const csrf = csrfFrom(await (await admin.get('/auth/password-login')).text());
    const signedIn = await admin.post('/auth/password-login', {
      _csrf: csrf,
      email: K.admin.email,
      password: 'password',
    });
    expect(signedIn.status).toBe(302);
    expect((await admin.get('/account')).status).toBe(200);
  });
  afterAll(async () => stack.close());

  async function expectBearerRefusal(res: Response): Promise<void> {
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: 'invalid_token', message: 'Authentication is required.' });
    expect(body).not.toContain(K.admin.email);
  }

  it.each(['/api/me', '/API/me', '/Api/Me', '/api/ME', '/api/me/', '/API/ME/'])(
    'never answers %s from the session cookie alone',
    async (path) => {
      await expectBearerRefusal(await admin.get(path));
    },
  );

  it.each(['/probe/machine', '/PROBE/Machine', '/probe/machine/'])(
    'never even reads the session store for a machine route (%s), while a page of the same browser has its session',
    async (path) => {
      expect(await (await admin.get(path)).json()).toEqual({ session: false });
      expect(await (await admin.get('/probe/browser')).json()).toEqual({ session: true });
    },
  );

  it.each(['/API/admin/users/', '/api/ADMIN/users/', '/Api/Admin/Users/'])(
    'refuses the admin API at %s… to an admin signed in by session, and changes nothing',
    async (prefix) => {
      await expectBearerRefusal(await admin.get(`${prefix}${K.richard.id}`));
      // With a valid CSRF token as well, and however long ago the admin signed in: never @RecentLogin's page.
      const csrf = csrfFrom(await (await admin.get('/account')).text());
      await expectBearerRefusal(
        await admin.request(`${prefix}${K.richard.id}/deactivate`, { method: 'POST', form: { _csrf: csrf } }),
      );
      const { response } = await stack.fusionAuth.retrieveRegistration(K.richard.id, K.applicationId);
      expect(response.registration?.roles).not.toContain('deactivated');
    },
  );

  it('still serves the admin API to the same admin with a bearer token, whatever the spelling', async () => {
    const { response } = await stack.fusionAuth.login({
      loginId: K.admin.email,
      password: 'password',
      applicationId: K.applicationId,
    });
    const res = await fetch(`${stack.app.url}/API/Admin/Users/${K.richard.id}`, {
      headers: { authorization: `Bearer ${response.token!}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: K.richard.id });
  });

  it.each(['/account', '/ACCOUNT', '/Account/'])('never signs a page %s in with a bearer token', async (path) => {
    const { response } = await stack.fusionAuth.login({
      loginId: K.richard.email,
      password: 'password',
      applicationId: K.applicationId,
    });
    const res = await fetch(`${stack.app.url}${path}`, {
      headers: { authorization: `Bearer ${response.token!}` },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/auth\/login\?returnTo=/);
  });

  it('answers an unknown route in JSON under a machine-only first segment, however it is spelled', async () => {
    for (const path of ['/api/nothing/here', '/API/Nothing']) {
      const res = await fetch(`${stack.app.url}${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'not_found', message: 'There is nothing here.' });
    }
    const page = await fetch(`${stack.app.url}/ACCOUNTS`);
    expect([page.status, page.headers.get('content-type')]).toEqual([404, expect.stringMatching(/^text\/html/)]);
  });
});
