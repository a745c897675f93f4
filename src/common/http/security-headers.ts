import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { AppConfig } from '../../config/app-config';

type Header = readonly [name: string, value: string];

const STATIC_PREFIX = '/static/';
/** helmet's headers that protect any resource, JSON or not; the others only mean something in a document. */
const FOR_EVERY_RESPONSE = new Set([
  'x-content-type-options',
  'cross-origin-resource-policy',
  'strict-transport-security',
]);

/**
 * The response headers: helmet's, computed once at start (helmet is not run per request), each set
 * once per response. Every answer, JSON or page, gets the few that protect any
 * resource; the ones that only mean something for a document a browser renders (CSP, framing,
 * referrer, opener, …) go on pages only: browser routes and the HTML error page.
 */
export function securityHeaders(config: AppConfig): { every: readonly Header[]; pages: readonly Header[] } {
  const all = headersOf(helmet(helmetOptions(config)));
  return {
    every: all.filter(([name]) => FOR_EVERY_RESPONSE.has(name.toLowerCase())),
    pages: all.filter(([name]) => !FOR_EVERY_RESPONSE.has(name.toLowerCase())),
  };
}

/** What helmet sets on a response, read once from a response that only records it (helmet is synchronous). */
function headersOf(middleware: ReturnType<typeof helmet>): Header[] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  };
  let done = false;
  middleware({} as never, recorder as never, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet failed');
    done = true;
  });
  if (!done) throw new Error('helmet did not answer synchronously');
  return [...headers];
}

/**
 * The headers of every answer, set first (see `configureApp`), and `Cache-Control: no-store` on
 * everything but static files (pages are made per request and may show personal data; /api answers are per token).
 */
export function everyResponseHeaders(config: AppConfig): (req: IncomingMessage, res: ServerResponse) => void {
  const { every } = securityHeaders(config);
  return (req, res) => {
    for (const [name, value] of every) res.setHeader(name, value);
    if (!req.url?.startsWith(STATIC_PREFIX)) res.setHeader('Cache-Control', 'no-store');
  };
}

/** The headers of a page, for the session middleware (every browser route) and the HTML error page. */
@Injectable()
export class PageHeaders {
  private readonly headers: readonly Header[];

  constructor(config: AppConfig) {
    this.headers = securityHeaders(config).pages;
  }

  apply(res: ServerResponse): void {
    for (const [name, value] of this.headers) res.setHeader(name, value);
  }
}

function helmetOptions(config: AppConfig): Parameters<typeof helmet>[0] {
  // Logout and re-authentication post forms that redirect to the provider; Chrome applies
  // form-action to those redirects, so each provider's origin is allowed as a form target.
  const providerOrigins = config.providers.map((p) => new URL(p.issuer).origin);
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'", ...new Set(providerOrigins)],
        ...(config.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}
