import { Injectable, Logger } from '@nestjs/common';
import type FusionAuthClient from '@fusionauth/typescript-client';
import { ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import {
  describe,
  fieldErrorsOf,
  FusionAuthClients,
  FusionAuthFieldError,
  generalCodes,
  statusOf,
} from './fusionauth-clients';
import { managedUserOf } from './fusionauth-user-search.service';

export type { FusionAuthFieldError } from './fusionauth-clients';

/** A user as the admin API shows it: never a password or a secret. */
export interface ManagedUser {
  readonly id: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly active: boolean;
  readonly registration?: { readonly applicationId: string; readonly roles: string[] };
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

/** A password change by FusionAuth: done, or refused with field errors, or needing a trust token first. */
export type PasswordChangeOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly trustRequired: true }
  | { readonly ok: false; readonly trustRequired?: false; readonly errors: FusionAuthFieldError[] };

/**
 * Users, registrations, tokens and password changes through @fusionauth/typescript-client (the
 * Login API and its steps are in FusionAuthLoginService): answers turned into plain results.
 * FusionAuth down is an outage (503), never a user's mistake.
 */
@Injectable()
export class FusionAuthService {
  private readonly logger = new Logger('FusionAuth');

  constructor(private readonly clients: FusionAuthClients) {}

  /** Exchanges a Login API refresh token; `undefined` when FusionAuth refuses it (expired, revoked). */
  async refresh(provider: ProviderConfig, refreshToken: string): Promise<RefreshedTokens | undefined> {
    try {
      const res = await this.call(provider, (c) => c.exchangeRefreshTokenForJWT({ refreshToken }));
      const { token, refreshToken: next, refreshTokenId } = res.response;
      if (!token) return undefined;
      return { token, refreshToken: next ?? refreshToken, refreshTokenId };
    } catch (error) {
      const status = statusOf(error);
      if (status === 400 || status === 401 || status === 404) return undefined;
      throw this.outage(error, 'refresh');
    }
  }

  /**
   * Logout: the refresh token stops working at FusionAuth, named by its id (`DELETE
   * /api/jwt/refresh/{tokenId}`): the id is not a secret, so nothing secret goes into a URL or a log.
   * Best effort; a failure is logged, not thrown.
   */
  async revokeRefreshTokenById(provider: ProviderConfig, tokenId: string): Promise<boolean> {
    try {
      await this.call(provider, (c) => c.revokeRefreshTokenById(tokenId));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return true;
      this.logger.warn(`could not revoke a refresh token at ${provider.name}: ${describe(error)}`);
      return false;
    }
  }

  /**
   * Changes a password with the API key (FusionAuth checks the current one). FusionAuth then revokes
   * every refresh token of the user; its refusals come back as field errors. A two-factor user needs
   * a trust token (from a Two Factor step-up) and the challenge it was started with.
   */
  async changePassword(
    provider: ProviderConfig,
    change: {
      loginId: string;
      currentPassword: string;
      password: string;
      trustToken?: string;
      trustChallenge?: string;
    },
  ): Promise<PasswordChangeOutcome> {
    try {
      await this.call(provider, (c) => c.changePasswordByIdentity({ ...change, applicationId: provider.clientId }));
      return { ok: true };
    } catch (error) {
      const status = statusOf(error);
      // users.mdx, change a user's password: 400 `[TrustTokenRequired]` asks for a two-factor step-up.
      if (status === 400 && generalCodes(error).includes('[TrustTokenRequired]'))
        return { ok: false, trustRequired: true };
      // Without field errors, FusionAuth's 400 or 404 here means the current password (or loginId) was wrong.
      if (status === 400 || status === 404) {
        const errors = fieldErrorsOf(error);
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
      if (statusOf(error) === 400) return { ok: false, errors: fieldErrorsOf(error) };
      throw this.outage(error, 'registration');
    }
  }

  async userByEmail(provider: ProviderConfig, email: string): Promise<ManagedUser | undefined> {
    try {
      const { user } = (await this.call(provider, (c) => c.retrieveUserByEmail(email))).response;
      return user?.id ? this.user(provider, user.id) : undefined;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.outage(error, 'user lookup');
    }
  }

  /** The user and this application's registration; undefined when FusionAuth does not know the user. */
  async user(provider: ProviderConfig, userId: string): Promise<ManagedUser | undefined> {
    try {
      const { user } = (await this.call(provider, (c) => c.retrieveUser(userId))).response;
      return user?.id ? managedUserOf(user, provider) : undefined;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
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
      if (statusOf(error) === 404) throw new AppError('NOT_FOUND', `user ${userId} or registration not found`);
      throw this.outage(error, 'registration update');
    }
  }

  /** When FusionAuth last changed the user's password, by its own clock (`user.passwordLastUpdateInstant`). */
  async passwordChangedAt(provider: ProviderConfig, userId: string): Promise<number | undefined> {
    try {
      const { user } = (await this.call(provider, (c) => c.retrieveUser(userId))).response;
      return instant(user?.passwordLastUpdateInstant);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.outage(error, 'user lookup');
    }
  }

  /** Ends every refresh token of the user for this application. */
  async revokeRefreshTokensOf(provider: ProviderConfig, userId: string): Promise<void> {
    try {
      await this.call(provider, (c) => c.revokeRefreshTokensByUserIdForApplication(userId, provider.clientId));
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.outage(error, 'refresh-token revoke');
    }
  }

  private call<T>(provider: ProviderConfig, run: (client: FusionAuthClient) => Promise<T>): Promise<T> {
    return this.clients.call(provider, run);
  }

  private outage(error: unknown, operation: string): AppError {
    return this.clients.outage(error, operation);
  }
}

/** An instant FusionAuth reported (ms since the epoch), or undefined when it gave none that makes sense. */
const instant = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
