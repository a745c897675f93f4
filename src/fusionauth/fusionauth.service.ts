import { Injectable, Logger } from '@nestjs/common';
import FusionAuthClient, { Errors } from '@fusionauth/typescript-client';
import { ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';

const TIMEOUT_MS = 5000;

export interface FusionAuthUser {
  readonly id?: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly fullName?: string;
}

export type LoginResult =
  | {
      readonly kind: 'ok';
      readonly token: string;
      readonly refreshToken?: string;
      readonly refreshTokenId?: string;
      readonly user: FusionAuthUser;
    }
  | { readonly kind: 'rejected'; readonly reason: LoginRejection };

export type LoginRejection =
  | 'invalid_credentials'
  | 'not_registered'
  | 'password_change_required'
  | 'email_not_verified'
  | 'two_factor_required'
  | 'locked'
  | 'expired';

/** A user as the admin API shows it: never a password or a secret. */
export interface ManagedUser {
  readonly id: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly active: boolean;
  readonly registration?: { readonly applicationId: string; readonly roles: string[] };
}

/** One of FusionAuth's validation errors: its field path (`user.email`), code (`[duplicate]user.email`), message. */
export interface FusionAuthFieldError {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export type Outcome<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly errors: FusionAuthFieldError[] };

export interface NewUser {
  readonly email: string;
  readonly password: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

export interface RefreshedTokens {
  readonly token: string;
  readonly refreshToken: string;
  readonly refreshTokenId?: string;
}

/** A FusionAuth answer other than success, as the typescript client reports it. */
interface ClientFailure {
  readonly statusCode?: number;
  readonly exception?: Errors | Error;
}

/** Login API statuses that authenticate the user but must not start a session here. */
const LOGIN_STATUSES: Record<number, LoginRejection> = {
  202: 'not_registered',
  203: 'password_change_required',
  212: 'email_not_verified',
  213: 'email_not_verified',
  242: 'two_factor_required',
  404: 'invalid_credentials',
  409: 'locked',
  410: 'expired',
  423: 'locked',
};

/**
 * The only user of @fusionauth/typescript-client: one client per FusionAuth provider, bounded in time,
 * answers turned into plain results. FusionAuth down is an outage (503), never a login failure.
 */
@Injectable()
export class FusionAuthService {
  private readonly logger = new Logger('FusionAuth');
  private readonly clients = new Map<string, FusionAuthClient>();

  async login(provider: ProviderConfig, loginId: string, password: string, ipAddress?: string): Promise<LoginResult> {
    try {
      const res = await this.call(provider, (c) =>
        c.login({ loginId, password, applicationId: provider.clientId, ipAddress }),
      );
      const rejection = LOGIN_STATUSES[res.statusCode];
      if (rejection) return { kind: 'rejected', reason: rejection };
      const body = res.response;
      if (!body.token) throw new AppError('PROVIDER_UNAVAILABLE', 'FusionAuth login answered without a token');
      const { id, email, firstName, lastName, fullName } = body.user ?? {};
      return {
        kind: 'ok',
        token: body.token,
        refreshToken: body.refreshToken,
        refreshTokenId: body.refreshTokenId,
        user: { id, email, firstName, lastName, fullName },
      };
    } catch (error) {
      const rejection = LOGIN_STATUSES[(error as ClientFailure).statusCode ?? 0];
      if (rejection) return { kind: 'rejected', reason: rejection };
      throw this.outage(error, 'login');
    }
  }

  /** Exchanges a Login API refresh token; `undefined` when FusionAuth refuses it (expired, revoked). */
  async refresh(provider: ProviderConfig, refreshToken: string): Promise<RefreshedTokens | undefined> {
    try {
      const res = await this.call(provider, (c) => c.exchangeRefreshTokenForJWT({ refreshToken }));
      const { token, refreshToken: next, refreshTokenId } = res.response;
      if (!token) return undefined;
      return { token, refreshToken: next ?? refreshToken, refreshTokenId };
    } catch (error) {
      const status = (error as ClientFailure).statusCode;
      if (status === 400 || status === 401 || status === 404) return undefined;
      throw this.outage(error, 'refresh');
    }
  }

  /** Logout: the refresh token stops working at FusionAuth. Best effort; a failure is logged, not thrown. */
  async revokeRefreshToken(provider: ProviderConfig, refreshToken: string): Promise<boolean> {
    try {
      await this.call(provider, (c) => c.revokeRefreshTokenByToken(refreshToken));
      return true;
    } catch (error) {
      if ((error as ClientFailure).statusCode === 404) return true;
      this.logger.warn(`could not revoke a refresh token at ${provider.name}: ${describe(error)}`);
      return false;
    }
  }

  /**
   * Changes a password with the API key (FusionAuth checks the current one). FusionAuth then revokes
   * every refresh token of the user; its refusals come back as field errors.
   */
  async changePassword(
    provider: ProviderConfig,
    loginId: string,
    currentPassword: string,
    password: string,
  ): Promise<Outcome<object>> {
    try {
      await this.call(provider, (c) =>
        c.changePasswordByIdentity({ loginId, currentPassword, password, applicationId: provider.clientId }),
      );
      return { ok: true };
    } catch (error) {
      const failure = error as ClientFailure;
      // Without field errors, FusionAuth's 400 or 404 here means the current password (or loginId) was wrong.
      if (failure.statusCode === 400 || failure.statusCode === 404) {
        const errors = fieldErrorsOf(failure.exception);
        return {
          ok: false,
          errors:
            errors.length > 0
              ? errors
              : [{ field: 'currentPassword', code: '[invalid]currentPassword', message: 'invalid' }],
        };
      }
      throw this.outage(error, 'change password');
    }
  }

  /** Creates the user and registers them for this application (roles: the application's defaults). */
  async register(provider: ProviderConfig, user: NewUser): Promise<Outcome<{ userId: string }>> {
    try {
      const res = await this.call(provider, (c) =>
        c.register(undefined as unknown as string, {
          user: { ...user },
          registration: { applicationId: provider.clientId },
        }),
      );
      const userId = res.response.user?.id;
      if (!userId) throw new AppError('PROVIDER_UNAVAILABLE', 'FusionAuth registered a user without an id');
      return { ok: true, userId };
    } catch (error) {
      const failure = error as ClientFailure;
      if (failure.statusCode === 400) return { ok: false, errors: fieldErrorsOf(failure.exception) };
      throw this.outage(error, 'registration');
    }
  }

  async userByEmail(provider: ProviderConfig, email: string): Promise<ManagedUser | undefined> {
    try {
      const { user } = (await this.call(provider, (c) => c.retrieveUserByEmail(email))).response;
      return user?.id ? this.user(provider, user.id) : undefined;
    } catch (error) {
      if ((error as ClientFailure).statusCode === 404) return undefined;
      throw this.outage(error, 'user lookup');
    }
  }

  /** The user and this application's registration; undefined when FusionAuth does not know the user. */
  async user(provider: ProviderConfig, userId: string): Promise<ManagedUser | undefined> {
    try {
      const { user } = (await this.call(provider, (c) => c.retrieveUser(userId))).response;
      if (!user?.id) return undefined;
      const registration = user.registrations?.find((r) => r.applicationId === provider.clientId);
      return {
        id: user.id,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        active: user.active !== false,
        registration: registration
          ? { applicationId: provider.clientId, roles: [...(registration.roles ?? [])] }
          : undefined,
      };
    } catch (error) {
      if ((error as ClientFailure).statusCode === 404) return undefined;
      throw this.outage(error, 'user lookup');
    }
  }

  /**
   * Replaces the roles of the user's registration for this application (a full update, never a
   * merge). Returns when FusionAuth says it made the change (its clock), when it says.
   */
  async setRoles(provider: ProviderConfig, userId: string, roles: readonly string[]): Promise<number | undefined> {
    try {
      const { registration } = (await this.call(provider, (c) => c.retrieveRegistration(userId, provider.clientId)))
        .response;
      if (!registration) throw new AppError('NOT_FOUND', `user ${userId} has no registration for ${provider.clientId}`);
      const updated = await this.call(provider, (c) =>
        c.updateRegistration(userId, { registration: { ...registration, roles: [...roles] } }),
      );
      return instant(updated.response.registration?.lastUpdateInstant);
    } catch (error) {
      if ((error as ClientFailure).statusCode === 404)
        throw new AppError('NOT_FOUND', `user ${userId} or registration not found`);
      throw this.outage(error, 'registration update');
    }
  }

  /** When FusionAuth last changed the user's password, by its own clock (`user.passwordLastUpdateInstant`). */
  async passwordChangedAt(provider: ProviderConfig, userId: string): Promise<number | undefined> {
    try {
      const { user } = (await this.call(provider, (c) => c.retrieveUser(userId))).response;
      return instant(user?.passwordLastUpdateInstant);
    } catch (error) {
      if ((error as ClientFailure).statusCode === 404) return undefined;
      throw this.outage(error, 'user lookup');
    }
  }

  /** Ends every refresh token of the user for this application. */
  async revokeRefreshTokensOf(provider: ProviderConfig, userId: string): Promise<void> {
    try {
      await this.call(provider, (c) => c.revokeRefreshTokensByUserIdForApplication(userId, provider.clientId));
    } catch (error) {
      if ((error as ClientFailure).statusCode === 404) return;
      throw this.outage(error, 'refresh-token revoke');
    }
  }

  private async call<T>(provider: ProviderConfig, run: (client: FusionAuthClient) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`FusionAuth did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    });
    try {
      return await Promise.race([run(this.client(provider)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private client(provider: ProviderConfig): FusionAuthClient {
    if (!provider.fusionAuth) throw new AppError('NOT_FOUND', `provider ${provider.name} is not FusionAuth`);
    let client = this.clients.get(provider.name);
    if (!client) {
      client = new FusionAuthClient(provider.fusionAuth.apiKey, provider.fusionAuth.url);
      this.clients.set(provider.name, client);
    }
    return client;
  }

  private outage(error: unknown, operation: string): AppError {
    if (error instanceof AppError) return error;
    return new AppError('PROVIDER_UNAVAILABLE', `FusionAuth ${operation}: ${describe(error)}`);
  }
}

function fieldErrorsOf(exception: Errors | Error | undefined): FusionAuthFieldError[] {
  const errors = exception as Errors | undefined;
  const fields = Object.entries(errors?.fieldErrors ?? {}).flatMap(([field, list]) =>
    (list ?? []).map((e) => ({ field, code: e.code ?? '', message: e.message ?? '' })),
  );
  const general = (errors?.generalErrors ?? []).map((e) => ({
    field: '',
    code: e.code ?? '',
    message: e.message ?? '',
  }));
  return [...fields, ...general];
}

/** An instant FusionAuth reported (ms since the epoch), or undefined when it gave none that makes sense. */
const instant = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

function describe(error: unknown): string {
  const failure = error as ClientFailure & { message?: string };
  if (failure.statusCode !== undefined) return `status ${failure.statusCode}`;
  return failure.message ?? 'failed';
}
