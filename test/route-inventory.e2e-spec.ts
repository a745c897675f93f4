import { Controller, Get } from '@nestjs/common';
import { routeInventory } from './support/route-inventory';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Every route declares how it is authorized, and the public ones are exactly these. Making a route
 * public, or adding one that declares nothing, fails here until this list is changed on purpose.
 */
const PUBLIC_ROUTES = [
  'ALL /webhooks/fusionauth',
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
];

@Controller('forgotten')
class ForgottenController {
  @Get()
  secretStuff(): { secret: string } {
    return { secret: 'should never be served to anonymous users' };
  }
}

@Controller('api/forgotten')
class ForgottenApiController {
  @Get()
  secretStuff(): { secret: string } {
    return { secret: 'should never be served to anonymous clients' };
  }
}

describe('route inventory', () => {
  let app: TestApp;
  afterEach(async () => app?.close());

  it('finds no route that declares neither @Public() nor a guard', async () => {
    app = await startTestApp();
    const inventory = routeInventory(app.app);
    expect(inventory.length).toBeGreaterThanOrEqual(PUBLIC_ROUTES.length);
    expect(inventory.filter((r) => r.policy.kind === 'undeclared').map((r) => r.route)).toEqual([]);
    expect(inventory.filter((r) => r.policy.kind === 'public').map((r) => r.route)).toEqual(PUBLIC_ROUTES);
  });

  it('catches an undeclared route, and the global guard denies it anyway', async () => {
    app = await startTestApp({ controllers: [ForgottenController, ForgottenApiController] });
    const undeclared = routeInventory(app.app).filter((r) => r.policy.kind === 'undeclared');
    expect(undeclared.map((r) => r.route)).toEqual(['GET /api/forgotten', 'GET /forgotten']);

    const page = await fetch(`${app.url}/forgotten`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login?returnTo=/forgotten');

    const api = await fetch(`${app.url}/api/forgotten`);
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await api.json()).toEqual({ error: 'invalid_token', message: 'Authentication is required.' });
  });
});
