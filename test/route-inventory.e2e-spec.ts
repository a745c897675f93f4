import { Controller, Get, Post } from '@nestjs/common';
import { Authenticated } from '../src/common/authenticated.decorator';
import { Public } from '../src/common/public.decorator';
import { BrowserRoute, MachineRoute } from '../src/common/http/route-kind.decorator';
import { SessionModule } from '../src/session/session.module';
import { routeInventory } from './support/route-inventory';
import { HttpClient } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { TestSessionController } from './support/test-session.controller';

/**
 * Every route declares how it is authorized and which kind it is, and the public ones and the
 * machine ones are exactly these. Making a route public, turning a page into an API or back, or
 * adding a route that declares nothing, fails here until this list is changed on purpose.
 */
const PUBLIC_ROUTES = [
  'ALL /webhooks/fusionauth',
  'ALL /webhooks/fusionauth/:provider',
  'GET /',
  'GET /auth/callback',
  'GET /auth/forgot-password',
  'GET /auth/frontchannel-logout',
  'GET /auth/login',
  'GET /auth/password-login',
  'GET /auth/password-login/change-password',
  'GET /auth/password-login/two-factor',
  'GET /auth/password-login/verify',
  'GET /auth/password-reset',
  'GET /auth/register',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'POST /auth/forgot-password',
  'POST /auth/logout',
  'POST /auth/password-login',
  'POST /auth/password-login/change-password',
  'POST /auth/password-login/two-factor',
  'POST /auth/password-login/verify',
  'POST /auth/register',
  'POST /webhooks/fusionauth',
  'POST /webhooks/fusionauth/:provider',
];

/** Bearer tokens or their own proof, JSON, no session, no CSRF. Every other route is a browser route. */
const MACHINE_ROUTES = [
  'ALL /webhooks/fusionauth',
  'ALL /webhooks/fusionauth/:provider',
  'GET /api/admin/users',
  'GET /api/admin/users/:userId',
  'GET /api/me',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'POST /api/admin/users/:userId/deactivate',
  'POST /api/admin/users/:userId/reactivate',
  'POST /webhooks/fusionauth',
  'POST /webhooks/fusionauth/:provider',
];

/** Declares how it is authorized, but not what kind of route it is. */
@Controller('forgotten')
class KindlessController {
  @Public()
  @Get()
  secretStuff(): { secret: string } {
    return { secret: 'should never be served: its kind is not declared' };
  }
}

@Controller('api/forgotten')
class KindlessApiController {
  @Authenticated()
  @Get()
  secretStuff(): { secret: string } {
    return { secret: 'should never be served: its kind is not declared' };
  }
}

/** A kind, but no way it is authorized. */
@BrowserRoute()
@Controller('unguarded')
class PolicylessController {
  @Get()
  secretStuff(): { secret: string } {
    return { secret: 'should never be served to anonymous users' };
  }
}

@MachineRoute()
@Controller('api/unguarded')
class PolicylessApiController {
  @Get()
  secretStuff(): { secret: string } {
    return { secret: 'should never be served to anonymous clients' };
  }
}

/** A page controller with one API handler: the handler's own declaration wins. */
@BrowserRoute()
@Controller('mixed')
class MixedController {
  @Public()
  @Post('form')
  form(): string {
    return 'posted';
  }

  @MachineRoute()
  @Public()
  @Post('hook')
  hook(): { ok: true } {
    return { ok: true };
  }
}

describe('route inventory', () => {
  let app: TestApp;
  afterEach(async () => app?.close());

  it('finds no route that declares no authorization or no kind, and knows the kind of each', async () => {
    app = await startTestApp();
    const inventory = routeInventory(app.app);
    expect(inventory.length).toBeGreaterThanOrEqual(PUBLIC_ROUTES.length);
    expect(inventory.filter((r) => r.policy.kind === 'undeclared').map((r) => r.route)).toEqual([]);
    expect(inventory.filter((r) => r.kind === 'undeclared').map((r) => r.route)).toEqual([]);
    expect(inventory.filter((r) => r.policy.kind === 'public').map((r) => r.route)).toEqual(PUBLIC_ROUTES);
    expect(inventory.filter((r) => r.kind === 'machine').map((r) => r.route)).toEqual(MACHINE_ROUTES);
  });

  it('catches a route without a kind, and the guard refuses it, signed in or not', async () => {
    app = await startTestApp({
      controllers: [KindlessController, KindlessApiController, TestSessionController],
      imports: [SessionModule],
    });
    const undeclared = routeInventory(app.app).filter((r) => r.kind === 'undeclared');
    expect(undeclared.map((r) => r.route)).toEqual(['GET /api/forgotten', 'GET /forgotten']);

    const page = await fetch(`${app.url}/forgotten`, { redirect: 'manual' });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const api = await fetch(`${app.url}/api/forgotten`);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: 'not_found', message: 'There is nothing here.' });
    expect(app.logger.of('warn').join('\n')).toContain(
      'GET /forgotten rejected: NOT_FOUND (the route declares no kind',
    );

    const browser = new HttpClient(app.url);
    expect((await browser.postWithCsrf('/test/login', { id: 'u-1' })).status).toBe(204);
    expect((await browser.get('/test/whoami')).status).toBe(200);
    expect((await browser.get('/forgotten')).status).toBe(404);
    expect((await browser.get('/api/forgotten')).status).toBe(404);
  });

  it('denies a route that declares a kind but no authorization, in the way of its kind', async () => {
    app = await startTestApp({ controllers: [PolicylessController, PolicylessApiController] });
    const page = await fetch(`${app.url}/unguarded`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login?returnTo=/unguarded');

    const api = await fetch(`${app.url}/api/unguarded`);
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await api.json()).toEqual({ error: 'invalid_token', message: 'Authentication is required.' });
  });

  it("takes a handler's own kind over its controller's: no session and no CSRF for the machine one", async () => {
    app = await startTestApp({ controllers: [MixedController] });
    const kinds = routeInventory(app.app).filter((r) => r.controller === 'MixedController');
    expect(kinds.map((r) => [r.route, r.kind])).toEqual([
      ['POST /mixed/form', 'browser'],
      ['POST /mixed/hook', 'machine'],
    ]);
    // The browser route's POST needs the session's CSRF token; the machine route's never does.
    const form = await fetch(`${app.url}/mixed/form`, { method: 'POST' });
    expect(form.status).toBe(403);
    expect(form.headers.get('content-type')).toMatch(/^text\/html/);
    const hook = await fetch(`${app.url}/mixed/hook`, { method: 'POST' });
    expect([hook.status, await hook.json()]).toEqual([201, { ok: true }]);
  });
});
