import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction } from 'express';
import type { PinoLogger } from 'nestjs-pino';
import type { LevelWithSilent } from 'pino';

type LoggedRequest = IncomingMessage & { id?: unknown; quietLog?: boolean };

/**
 * The level of a request's line. Probes and scrapes declare themselves quiet
 * (`@MachineRoute({ quiet: true })`); the guard has marked the request by the time its response
 * ends, whatever spelling of the URL it came in by.
 */
export function requestLogLevel(req: LoggedRequest, res: ServerResponse): LevelWithSilent {
  if (req.quietLog) return 'silent';
  return res.statusCode >= 500 ? 'error' : 'info';
}

/**
 * The request log, as a plain Express middleware mounted before any route (see `configureApp`):
 * every log made while a request is handled carries the request (its id, method and scrubbed URL,
 * through the `req` serializer of `loggerParams`), and its response writes one line with the status
 * and the time taken; quiet routes write nothing. pino-http did the same behind two Nest middleware
 * layers on every route, whose per-request bookkeeping cost more than the line itself (bench/README.md,
 * "Where it stands"). Everything goes through nestjs-pino's one root logger.
 */
export function requestLog(logger: PinoLogger): (req: LoggedRequest, res: ServerResponse, next: NextFunction) => void {
  return (req, res, next) => {
    const startedAt = Date.now();
    logger.runInContext(
      () => {
        // The logger of this request's context: the root's child with the request bound to it.
        const log = logger.logger;
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
        next();
      },
      { bindings: { req } },
    );
  };
}
