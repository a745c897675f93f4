import type { Errors } from '@fusionauth/typescript-client';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RefreshTokens } from '../tokens/refresh-tokens';
import { DevIdpState } from '../state/dev-idp-state';
import { EventBody } from '../webhooks/events';
import { WebhookEventLogs } from '../webhooks/webhook-event-log';

/** What every API handler may use. */
export interface ApiContext {
  readonly state: DevIdpState;
  readonly refreshTokens: RefreshTokens;
  /** The Webhook Event Log of the dev IdP's own deliveries. */
  readonly webhookEventLog: WebhookEventLogs;
  emit(event: EventBody): void;
  /** Signing keys or OAuth settings changed: the OIDC provider is rebuilt; key changes are announced. */
  configChanged(change: { keysOf?: string[] }): void;
}

/**
 * An answer in FusionAuth's error shape (or with an empty body, as FusionAuth gives for 401/404), or
 * another documented refusal body (a 409 login's `actions`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body?: Errors | object,
  ) {
    super(`FusionAuth API error ${status}`);
  }
}

/** apis/authentication, "Tenant Errors": the exact answer to an ambiguous call without a tenant. */
export const tenantIdRequired = (): ApiError =>
  new ApiError(400, {
    generalErrors: [
      {
        code: '[TenantIdRequired]',
        message:
          'A Tenant Id is required to complete this request. To complete this request, you may assign a Tenant to your API key, or add the X-FusionAuth-TenantId HTTP request header with the Tenant Id.',
      },
    ],
  });

/**
 * The tenant a call is scoped to: the `X-FusionAuth-TenantId` header when given (it must name a
 * tenant), else the only tenant. With more than one tenant an `ambiguous` call (a loginId, an
 * email, a new user) without the header is refused, as FusionAuth refuses it.
 */
export function tenantFor(ctx: ApiContext, req: Request, ambiguous: boolean): string {
  const header = param(req.get('x-fusionauth-tenantid'));
  if (header) {
    if (!ctx.state.tenants.has(header))
      throw fieldError('tenantId', 'invalid', 'The [X-FusionAuth-TenantId] header does not name a tenant.');
    return header;
  }
  if (ambiguous && ctx.state.tenants.size > 1) throw tenantIdRequired();
  return ctx.state.defaultTenantId;
}

/** The header's tenant, when a scoped call names one: an object of another tenant is then not found. */
export const headerTenant = (req: Request): string | undefined => param(req.get('x-fusionauth-tenantid'));

/** Some APIs answer more (or allow more) with an API key than without one. */
export const hasApiKey = (ctx: ApiContext, req: Request): boolean => {
  const key = req.get('authorization');
  return key !== undefined && ctx.state.apiKeys.has(key);
};

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
          // A handler may have chosen a 2xx status (202, 203, 242, ...); otherwise 200.
          if (result === undefined) res.end();
          else res.json(result);
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
