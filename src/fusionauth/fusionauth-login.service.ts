import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type FusionAuthClient from '@fusionauth/typescript-client';
import type { LoginResponse } from '@fusionauth/typescript-client';
import { ProviderConfig } from '../config/app-config';
import {
  bodyOf,
  describe,
  fieldErrorsOf,
  FusionAuthClients,
  FusionAuthFieldError,
  generalCodes,
  statusOf,
} from './fusionauth-clients';
import { LoginEndpoint, LoginResult, loginResultOf } from './login-result';

/** A password set with a `changePasswordId` (a required change, or a reset link). */
export type PasswordSetOutcome =
  | { readonly ok: true; readonly oneTimePassword?: string }
  | { readonly ok: false; readonly reason: 'trust-required' }
  | { readonly ok: false; readonly reason: 'expired' }
  | { readonly ok: false; readonly reason: 'invalid'; readonly errors: FusionAuthFieldError[] };

export type ForgotPasswordOutcome = 'started' | 'disabled';

/** A two-factor step-up: the trust a password change asks for, bound to its challenge. */
export type StepUpOutcome =
  | {
      readonly ok: true;
      readonly trustToken: string;
      readonly trustChallenge: string;
      readonly twoFactorTrustId?: string;
    }
  | { readonly ok: false; readonly reason: 'invalid-code' | 'unavailable' };

/**
 * The Login API and the steps it can lead to (apis/login, apis/two-factor, apis/users): two-factor
 * login and step-up, change password by `changePasswordId`, forgot password, verification emails.
 * Every documented answer becomes a plain result; anything else is an outage (503).
 */
@Injectable()
export class FusionAuthLoginService {
  private readonly logger = new Logger('FusionAuth');

  constructor(private readonly clients: FusionAuthClients) {}

  login(
    provider: ProviderConfig,
    credentials: { loginId: string; password: string; twoFactorTrustId?: string },
    ipAddress?: string,
  ): Promise<LoginResult> {
    return this.answer(provider, 'login', (c) =>
      c.login({ ...credentials, applicationId: provider.clientId, ipAddress }),
    );
  }

  /** The Login API with the one-time password a change by `changePasswordId` returned. */
  loginWithOneTimePassword(
    provider: ProviderConfig,
    oneTimePassword: string,
    ipAddress?: string,
  ): Promise<LoginResult> {
    return this.answer(provider, 'login', (c) =>
      c.login({ oneTimePassword, applicationId: provider.clientId, ipAddress }),
    );
  }

  /** Two Factor Login API (`POST /api/two-factor/login`): completes a 242 or a step-up. */
  twoFactorLogin(
    provider: ProviderConfig,
    step: { twoFactorId: string; code: string; trustComputer?: boolean },
    ipAddress?: string,
  ): Promise<LoginResult> {
    return this.answer(provider, 'two-factor', (c) =>
      c.twoFactorLogin({ ...step, applicationId: provider.clientId, ipAddress }),
    );
  }

  /**
   * Starts a two-factor step-up for a user (`POST /api/two-factor/start`), bound to `trustChallenge`.
   * FusionAuth's generated code is discarded: the user proves the factor with their own code.
   */
  async startTwoFactor(
    provider: ProviderConfig,
    who: { userId: string } | { loginId: string },
    trustChallenge: string,
  ): Promise<string | undefined> {
    try {
      const res = await this.clients.call(provider, (c) =>
        c.startTwoFactorLogin({ ...who, trustChallenge, applicationId: provider.clientId }),
      );
      return res.response.twoFactorId;
    } catch (error) {
      // 404: no such user; 400: a user without a second factor, or an unknown loginId.
      const status = statusOf(error);
      if (status === 404 || status === 400) return undefined;
      throw this.clients.outage(error, 'two-factor start');
    }
  }

  /**
   * Two Factor start, then Two Factor Login with the user's code (lifecycle/.../multi-factor-
   * authentication, trust tokens): the `trustToken` for a password change, bound to a fresh
   * `trustChallenge` so a stolen token alone is useless. `trustComputer` also returns a
   * `twoFactorTrustId`, so signing in again right after the change needs no second code.
   */
  async stepUp(
    provider: ProviderConfig,
    who: { userId: string } | { loginId: string },
    code: string,
    ipAddress?: string,
  ): Promise<StepUpOutcome> {
    const trustChallenge = randomBytes(24).toString('base64url');
    const twoFactorId = await this.startTwoFactor(provider, who, trustChallenge);
    if (!twoFactorId) return { ok: false, reason: 'unavailable' };
    const result = await this.twoFactorLogin(provider, { twoFactorId, code, trustComputer: true }, ipAddress);
    if (result.kind === 'invalid-code') return { ok: false, reason: 'invalid-code' };
    if ((result.kind !== 'ok' && result.kind !== 'trusted') || !result.trustToken)
      return { ok: false, reason: 'unavailable' };
    return { ok: true, trustToken: result.trustToken, trustChallenge, twoFactorTrustId: result.twoFactorTrustId };
  }

  /** Change password by `changePasswordId`, in the body, never the URL (apis/users, since 1.33.0). */
  async setPassword(
    provider: ProviderConfig,
    change: { changePasswordId: string; password: string; trustToken?: string; trustChallenge?: string },
  ): Promise<PasswordSetOutcome> {
    try {
      const res = await this.clients.call(provider, (c) =>
        c.changePassword(undefined as unknown as string, { ...change, applicationId: provider.clientId }),
      );
      return { ok: true, oneTimePassword: res.response?.oneTimePassword };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return { ok: false, reason: 'expired' };
      if (status === 400 && generalCodes(error).includes('[TrustTokenRequired]'))
        return { ok: false, reason: 'trust-required' };
      if (status === 400) return { ok: false, reason: 'invalid', errors: fieldErrorsOf(error) };
      throw this.clients.outage(error, 'change password');
    }
  }

  /**
   * Forgot Password API: FusionAuth mails the user a link carrying a `changePasswordId`. An unknown
   * address (404) or a user without email (422) is reported as started: the form must not tell.
   */
  async forgotPassword(provider: ProviderConfig, loginId: string): Promise<ForgotPasswordOutcome> {
    try {
      await this.clients.call(provider, (c) => c.forgotPassword({ loginId, applicationId: provider.clientId }));
      return 'started';
    } catch (error) {
      const status = statusOf(error);
      if (status === 404 || status === 422) return 'started';
      if (status === 403) return 'disabled';
      throw this.clients.outage(error, 'forgot password');
    }
  }

  /** Resend Verification Email (212) or Resend Registration Verification (213). Best effort: a refusal is logged. */
  async resendVerification(provider: ProviderConfig, email: string, what: 'email' | 'registration'): Promise<void> {
    try {
      await this.clients.call(provider, (c) =>
        what === 'email'
          ? c.resendEmailVerificationWithApplicationTemplate(provider.clientId, email)
          : c.resendRegistrationVerification(email, provider.clientId),
      );
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || status >= 500) throw this.clients.outage(error, 'resend verification');
      this.logger.warn(`FusionAuth did not resend a verification email: ${describe(error)}`);
    }
  }

  private async answer(
    provider: ProviderConfig,
    endpoint: LoginEndpoint,
    run: (client: FusionAuthClient) => Promise<{ statusCode: number; response: LoginResponse }>,
  ): Promise<LoginResult> {
    let status: number | undefined;
    let body: LoginResponse;
    try {
      const res = await this.clients.call(provider, run);
      status = res.statusCode;
      body = res.response ?? {};
    } catch (error) {
      status = statusOf(error);
      body = bodyOf<LoginResponse>(error);
      if (status === undefined || status >= 500 || status === 400 || status === 401) {
        throw this.clients.outage(error, endpoint === 'login' ? 'login' : 'two-factor login');
      }
    }
    const result = status === undefined ? undefined : loginResultOf(endpoint, status, body);
    if (!result) throw this.clients.outage({ statusCode: status }, `${endpoint} answered an undocumented status`);
    return result;
  }
}
