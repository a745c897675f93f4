import { Injectable } from '@nestjs/common';
import FusionAuthClient, { Errors } from '@fusionauth/typescript-client';
import { ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';

const TIMEOUT_MS = 5000;

/** A FusionAuth answer other than success, as the typescript client reports it. */
export interface ClientFailure {
  readonly statusCode?: number;
  readonly exception?: Errors | Error | Record<string, unknown>;
}

/** One of FusionAuth's validation errors: its field path (`user.email`), code (`[duplicate]user.email`), message. */
export interface FusionAuthFieldError {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/**
 * One @fusionauth/typescript-client per FusionAuth provider, each naming the provider's tenant
 * (`X-FusionAuth-TenantId`) on every call, and every call bounded in time.
 */
@Injectable()
export class FusionAuthClients {
  private readonly clients = new Map<string, FusionAuthClient>();

  async call<T>(provider: ProviderConfig, run: (client: FusionAuthClient) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`FusionAuth did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    });
    try {
      return await Promise.race([run(this.client(provider)), timeout]);
    } catch (error) {
      // FusionAuth with more than one tenant refuses loginId/email calls without a tenant: a
      // configuration fault, never "wrong password" or "no such user" (apis/authentication).
      if (generalCodes(error).includes('[TenantIdRequired]')) {
        throw new AppError(
          'PROVIDER_UNAVAILABLE',
          `FusionAuth at ${provider.name} has several tenants: set FUSIONAUTH_TENANT_ID (X-FusionAuth-TenantId)`,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** FusionAuth down or answering something unexpected: an outage (503), never a user's mistake. */
  outage(error: unknown, operation: string): AppError {
    if (error instanceof AppError) return error;
    return new AppError('PROVIDER_UNAVAILABLE', `FusionAuth ${operation}: ${describe(error)}`);
  }

  private client(provider: ProviderConfig): FusionAuthClient {
    if (!provider.fusionAuth) throw new AppError('NOT_FOUND', `provider ${provider.name} is not FusionAuth`);
    let client = this.clients.get(provider.name);
    if (!client) {
      const { apiKey, url, tenantId } = provider.fusionAuth;
      client = new FusionAuthClient(apiKey, url, tenantId);
      this.clients.set(provider.name, client);
    }
    return client;
  }
}

export const statusOf = (error: unknown): number | undefined => (error as ClientFailure | undefined)?.statusCode;

/** The body of a refused call (FusionAuth's JSON answer), when it had one. */
export function bodyOf<T>(error: unknown): Partial<T> {
  const exception = (error as ClientFailure | undefined)?.exception;
  return exception && !(exception instanceof Error) ? (exception as Partial<T>) : {};
}

export function generalCodes(error: unknown): string[] {
  return (bodyOf<Errors>(error).generalErrors ?? []).map((e) => e.code ?? '');
}

export function fieldErrorsOf(error: unknown): FusionAuthFieldError[] {
  const errors = bodyOf<Errors>(error);
  const fields = Object.entries(errors.fieldErrors ?? {}).flatMap(([field, list]) =>
    (list ?? []).map((e) => ({ field, code: e.code ?? '', message: e.message ?? '' })),
  );
  const general = (errors.generalErrors ?? []).map((e) => ({
    field: '',
    code: e.code ?? '',
    message: e.message ?? '',
  }));
  return [...fields, ...general];
}

export function describe(error: unknown): string {
  const failure = error as ClientFailure & { message?: string };
  if (failure.statusCode !== undefined) return `status ${failure.statusCode}`;
  return failure.message ?? 'failed';
}
