import { SessionModule } from '../src/session/session.module';
import { startTestApp, TestApp } from './support/test-app';
import { TestSessionController } from './support/test-session.controller';

describe('errors and basics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ controllers: [TestSessionController], imports: [SessionModule] });
  });
  afterAll(async () => app.close());

  it('answers /health/live with 200', async () => {
    const res = await fetch(`${app.url}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('serves the home page with the login choices', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('href="/auth/login?provider=default"');
    expect(html).toContain('href="/auth/register"');
  });

  it('answers an unknown page with the HTML 404 page', async () => {
    const res = await fetch(`${app.url}/no/such/page`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('There is nothing here.');
  });

  it('answers an unknown API route with JSON 404', async () => {
    const res = await fetch(`${app.url}/api/no/such/route`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'There is nothing here.' });
  });

  it('turns an unexpected error into a generic 500 and a log line, never a stack or message', async () => {
    const res = await fetch(`${app.url}/test/boom`);
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).toContain('Something went wrong on our side.');
    expect(html).not.toContain('hunter2');
    expect(html).not.toMatch(/at .*\.ts:\d+/);
    expect(app.logger.of('error').some((line) => line.includes('GET /test/boom failed'))).toBe(true);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await fetch(`${app.url}/test/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id": ',
    });
    expect(res.status).toBe(400);
  });

  it('sends the security headers: strict CSP without inline script, no referrer, no framing', async () => {
    const res = await fetch(`${app.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' http://localhost:9011");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('sends the page headers on the HTML error page too, for a URL no route serves', async () => {
    const res = await fetch(`${app.url}/no/such/page`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sends a JSON answer the headers that protect any resource, and none meant for pages', async () => {
    for (const path of ['/health/live', '/api/no/such/route']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(res.headers.get('cache-control')).toContain('no-store');
      expect(res.headers.get('content-security-policy')).toBeNull();
      expect(res.headers.get('x-frame-options')).toBeNull();
    }
  });

  it('serves the stylesheet', async () => {
    const res = await fetch(`${app.url}/static/app.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/css/);
  });
});
