import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction } from 'express';
import type { PinoLogger } from 'nestjs-pino';
import type { LevelWithSilent, Logger } from 'pino';

/** Set on a request whose line was left to its route (see `requestLog`): when it began, and who writes it. */
const DEFERRED = Symbol('request log deferred');

interface Deferred {
  readonly startedAt: number;
  readonly resume: (req: LoggedRequest, res: ServerResponse, startedAt: number) => void;
}

type LoggedRequest = IncomingMessage & { id?: unknown; quietLog?: boolean; [DEFERRED]?: Deferred };

/**
 * The level of a request's line. Probes and scrapes declare themselves quiet
 * (`@MachineRoute({ quiet: true })`); the guard has marked the request by the time its response
 * ends, whatever spelling of the URL it came in by.
 */
export function requestLogLevel(req: LoggedRequest, res: ServerResponse): LevelWithSilent {
  if (req.quietLog) return 'silent';
  return res.statusCode >= 500 ? 'error' : 'info';
}

/** Which requests look, by their exact request line, like a quiet route's (`RouteKinds.isQuietRequest`). */
export type QuietHint = (method: string | undefined, url: string | undefined) => boolean;

/**
 * The request log, as a plain Express middleware mounted before any route (see `configureApp`):
 * every log made while a request is handled carries the request (its id, method and scrubbed URL,
 * through the `req` serializer of `loggerParams`), and its response writes one line with the status
 * and the time taken; quiet routes write nothing. pino-http did the same behind two Nest middleware
 * layers on every route, whose per-request bookkeeping cost more than the line itself (bench/README.md,
 * "Where it stands"). Everything goes through nestjs-pino's one root logger.
 *
 * A request whose exact request line is a quiet route's (a probe: `GET /health/live`) gets no context
 * and no listeners up front: it is marked, and its line is left to the route. The guard that reads
 * the matched handler's declaration calls `resumeRequestLog`, which starts the line after all when
 * that handler is not quiet; so the URL never decides that a line goes unwritten.
 */
export function requestLog(
  logger: PinoLogger,
  quietHint: QuietHint = () => false,
): (req: LoggedRequest, res: ServerResponse, next: NextFunction) => void {
  // Out of any request's context: the root logger, to which a resumed line binds its request.
  const resume = (req: LoggedRequest, res: ServerResponse, startedAt: number): void =>
    watch(logger.logger.child({ req }), req, res, startedAt);
  return (req, res, next) => {
    const startedAt = Date.now();
    if (quietHint(req.method, req.url)) {
      req[DEFERRED] = { startedAt, resume };
      next();
      return;
    }
    // The logger of this request's context: the root's child with the request bound to it.
    logger.runInContext(
      () => {
        watch(logger.logger, req, res, startedAt);
        next();
      },
      { bindings: { req } },
    );
  };
}

/**
 * Called by what reads the matched route's declaration (the first global guard), once `quietLog`
 * is set: a request whose line was left to its route gets it now unless the route is quiet.
 */
export function resumeRequestLog(req: LoggedRequest, res: ServerResponse): void {
  const deferred = req[DEFERRED];
  if (!deferred) return;
  req[DEFERRED] = undefined;
  if (!req.quietLog) deferred.resume(req, res, deferred.startedAt);
}

/** One line when the response ends (finished or aborted), at the level `requestLogLevel` says. */
function watch(log: Logger, req: LoggedRequest, res: ServerResponse, startedAt: number): void {
  let written = false;
  const end = (): void => {
    if (written) return;
    written = true;
    res.removeListener('finish', end);
    res.removeListener('close', end);
    const level = requestLogLevel(req, res);
    if (level === 'silent') return;
    const message = !res.writableFinished
      ? 'request aborted'
      : level === 'error'
        ? 'request errored'
        : 'request completed';
    log[level]({ res, responseTime: Date.now() - startedAt }, message);
  };
  res.once('finish', end);
  res.once('close', end);
}
