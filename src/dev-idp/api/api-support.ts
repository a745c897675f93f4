import type { Errors } from '@fusionauth/typescript-client';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RefreshTokens } from '../tokens/refresh-tokens';
import { DevIdpState } from '../state/dev-idp-state';
import { EventBody } from '../webhooks/events';

/** What every API handler may use. */
export interface ApiContext {
  readonly state: DevIdpState;
  readonly refreshTokens: RefreshTokens;
  emit(event: EventBody): void;
  /** Signing keys or OAuth settings changed: the OIDC provider is rebuilt; key changes are announced. */
  configChanged(change: { keysOf?: string[] }): void;
}

/** An answer in FusionAuth's error shape (or with an empty body, as FusionAuth gives for 401/404). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body?: Errors,
  ) {
    super(`FusionAuth API error ${status}`);
  }
}

export const fieldError = (field: string, code: string, message: string): ApiError =>
  new ApiError(400, { fieldErrors: { [field]: [{ code: `[${code}]${field}`, message }] } });

export const generalError = (code: string, message: string, status = 400): ApiError =>
  new ApiError(status, { generalErrors: [{ code: `[${code}]`, message }] });

export const notFound = (): ApiError => new ApiError(404);

/**
 * Runs a handler: a returned object is sent as JSON, `undefined` as an empty 200 without a content
 * type (FusionAuth's client fails to parse an empty JSON body), an ApiError as its status and body.
 */
export function handle(run: (req: Request, res: Response) => unknown): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve()
      .then(() => run(req, res))
      .then(
        (result) => {
          if (res.headersSent) return;
          if (result === undefined) res.status(200).end();
          else res.status(200).json(result);
        },
        (error: unknown) => {
          if (!(error instanceof ApiError)) return next(error);
          if (error.body) res.status(error.status).json(error.body);
          else res.status(error.status).end();
        },
      );
  };
}

/** A path parameter (Express 5 types them as string | string[]). */
export function pathParam(req: Request, name: string): string {
  const value = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}

/** A query or body value; FusionAuth's client sends absent arguments as the strings "undefined"/"null". */
export function param(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || value === 'undefined' || value === 'null') return undefined;
  return value;
}

export function bodyOf<T>(req: Request, key: string): T {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[key];
  if (typeof value !== 'object' || value === null)
    throw generalError('invalid', `Your request is missing the [${key}] object.`);
  return value as T;
}

/** FusionAuth's "original" PATCH: objects merge, anything else (arrays included) is replaced. */
export function merge<T>(target: T, patch: unknown): T {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch as T;
  const result: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = typeof value === 'object' && !Array.isArray(value) ? merge(result[key] ?? {}, value) : value;
  }
  return result as T;
}
