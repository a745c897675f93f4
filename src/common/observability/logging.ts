import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerModuleAsyncParams, Params } from 'nestjs-pino';
import { destination } from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../../config/app-config';

/**
 * Query parameters whose values are logged; every other value is redacted, so a credential in a URL
 * (`code`, `state`, `access_token`, `id_token_hint`, `sid`, a parameter nobody thought of) never is.
 */
const SAFE_PARAMS = new Set(['returnTo', 'provider', 'reauth', 'iss', 'error', 'error_description']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const REDACTED = '[REDACTED]';

/**
 * Request logs: one line per request with its id, method, scrubbed URL, status and time. Headers and
 * bodies are never logged, so no cookie, Authorization, webhook signature or form field can reach a
 * log line (application logs are messages the code writes, never objects from a request).
 */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      // Our serializers see the raw request and response (not pino's copies of every header):
      // they pick the few fields logged, so nothing else, no cookie, Authorization or signature, can be.
      wrapSerializers: false,
      serializers: {
        req: (req: IncomingMessage & { id?: unknown; originalUrl?: string }) => ({
          id: req.id,
          method: req.method,
          url: scrubUrl(req.originalUrl ?? req.url ?? ''),
        }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
    },
  };
}

/**
 * nestjs-pino's root logger (the Nest logger, and the one behind every request's line), writing to
 * standard output asynchronously: lines logged while a write is under way go out together in the
 * next one, instead of one blocking write per request (flushed on exit). nestjs-pino binds no
 * middleware of its own (`forRoutes: []`): the request log is `requestLog`, mounted by `configureApp`.
 */
export function requestLoggerParams(): LoggerModuleAsyncParams {
  return {
    inject: [AppConfig],
    useFactory: (config: AppConfig): Params => {
      const params = loggerParams(config);
      const stream = destination({ dest: 1, sync: false });
      return { ...params, pinoHttp: { ...(params.pinoHttp as Options), stream }, forRoutes: [] };
    },
  };
}

/**
 * Every request's id, before any route is matched (first thing, see `configureApp`): the request
 * log binds it (the `req` serializer reads `req.id`), and every answer carries it, a quiet route's
 * (probe, scrape) too. A caller's X-Request-Id is kept when it is a plain token (so ids line up
 * across services), else a new one.
 */
export function assignRequestId(req: IncomingMessage & { id?: unknown }, res: ServerResponse): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  req.id = id;
}

/** `/auth/callback?code=abc&state=def` → `/auth/callback?code=[REDACTED]&state=[REDACTED]`. */
export function scrubUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      return SAFE_PARAMS.has(name) || !pair.includes('=') ? pair : `${name}=${REDACTED}`;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}
