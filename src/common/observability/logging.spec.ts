import type { IncomingMessage, ServerResponse } from 'node:http';
import { scrubUrl } from './logging';
import { requestLogLevel } from './request-log';

describe('scrubUrl', () => {
  it('redacts the values of credentials in a query string', () => {
    expect(scrubUrl('/auth/callback?code=abc123&state=xyz789')).toBe('/auth/callback?code=[REDACTED]&state=[REDACTED]');
    expect(scrubUrl('/api/me?access_token=eyJhbGciOi.e30.sig')).toBe('/api/me?access_token=[REDACTED]');
  });

  it('redacts a parameter it does not know, and keeps the ones known to be harmless', () => {
    expect(scrubUrl('/auth/login?returnTo=/account&provider=partner&surprise=s3cret')).toBe(
      '/auth/login?returnTo=/account&provider=partner&surprise=[REDACTED]',
    );
  });

  it('leaves a URL without a query as it is', () => {
    expect(scrubUrl('/account')).toBe('/account');
  });

  it('cannot be fooled by an encoded name', () => {
    expect(scrubUrl('/auth/callback?%63ode=abc')).toBe('/auth/callback?%63ode=[REDACTED]');
  });
});

describe('request log levels', () => {
  const levelOf = (req: object, res: object): string => requestLogLevel(req as IncomingMessage, res as ServerResponse);

  it('writes no line for a route that declares itself quiet, whatever URL reached it', () => {
    expect(levelOf({ quietLog: true, url: '/HEALTH/live' }, { statusCode: 200 })).toBe('silent');
    expect(levelOf({ quietLog: true, url: '/health/ready' }, { statusCode: 503 })).toBe('silent');
  });

  it('logs every other request, errors as errors', () => {
    expect(levelOf({ url: '/health/live-but-not-a-probe' }, { statusCode: 404 })).toBe('info');
    expect(levelOf({ url: '/api/me' }, { statusCode: 500 })).toBe('error');
  });
});
