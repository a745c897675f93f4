import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { MetricsService } from '../common/observability/metrics.service';
import { PasswordSignIn, SignInResult } from '../common/password-sign-in';
import { FusionAuthLoginService } from '../fusionauth/fusionauth-login.service';
import { LoginResult, LoginTokens } from '../fusionauth/login-result';
import { FusionAuthFieldError } from '../fusionauth/fusionauth-clients';
import { SessionService } from '../session/session.service';
import { TokenRejectedError } from '../tokens/token.errors';
import { TokenVerifier } from '../tokens/token-verifier.service';
import { fusionAuthErrors } from '../users/forms';
import { LoginOutcome, outcomeFromPasswordLogin } from './login-outcome';
import { MESSAGES, PasswordLoginOutcome } from './password-login-outcome';
import { NewPasswordStep, PasswordStep } from './password-step';

type StepContext = Pick<NewPasswordStep, 'provider' | 'origin' | 'loginId' | 'returnTo'>;

/**
 * The service's own login form, through FusionAuth's Login API: every documented answer leads to
 * a session (after the same token checks as the hosted login), another step, or its own message.
 */
@Injectable()
export class PasswordLoginService implements PasswordSignIn {
  private readonly logger = new Logger('PasswordLogin');

  constructor(
    private readonly config: AppConfig,
    private readonly fusionAuth: FusionAuthLoginService,
    private readonly sessions: SessionService,
    private readonly verifier: TokenVerifier,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  get provider(): ProviderConfig {
    return this.config.defaultProvider;
  }

  begin(loginId: string, password: string, ip: string | undefined, returnTo?: string): Promise<PasswordLoginOutcome> {
    return this.counted(async () => {
      const result = await this.fusionAuth.login(this.provider, { loginId, password }, ip);
      return this.next(result, { provider: this.provider.name, origin: 'login', loginId, returnTo });
    });
  }

  /** The code for a 242: the Two Factor Login API, then the same checks as any other login. */
  twoFactor(step: PasswordStep, code: string, ip: string | undefined): Promise<PasswordLoginOutcome> {
    return this.counted(async () => {
      const provider = this.providerOf(step);
      const result = await this.fusionAuth.twoFactorLogin(provider, { twoFactorId: step.twoFactorId!, code }, ip);
      if (result.kind === 'invalid-code') return { kind: 'retry', status: 401, errors: { code: MESSAGES.wrongCode } };
      if (result.kind === 'two-factor-expired') return refused(401, MESSAGES.restart);
      return this.next(result, step);
    });
  }

  /**
   * A new password for a 203 or a reset link: change by `changePasswordId`, then sign in with the
   * one-time password FusionAuth returns. A two-factor user also proves the factor (step-up).
   */
  setPassword(
    step: PasswordStep,
    form: { password: string; code?: string; email?: string },
    ip: string | undefined,
  ): Promise<PasswordLoginOutcome> {
    return this.counted(async () => {
      const provider = this.providerOf(step);
      let trust: { trustToken?: string; trustChallenge?: string } = { trustToken: step.trustToken };
      if (form.code !== undefined) {
        const loginId = step.loginId ?? form.email;
        if (!loginId) return { kind: 'retry', status: 400, errors: { email: MESSAGES.needEmail }, needsCode: true };
        const stepUp = await this.fusionAuth.stepUp(provider, { loginId }, form.code, ip);
        if (!stepUp.ok) return { kind: 'retry', status: 401, errors: { code: MESSAGES.wrongCode }, needsCode: true };
        trust = stepUp;
      }
      const set = await this.fusionAuth.setPassword(provider, {
        changePasswordId: step.changePasswordId!,
        password: form.password,
        ...trust,
      });
      if (set.ok) return this.afterPasswordSet(provider, set.oneTimePassword, step, ip);
      if (set.reason === 'expired')
        return refused(400, step.origin === 'reset' ? MESSAGES.resetExpired : MESSAGES.restart);
      if (set.reason === 'trust-required')
        return { kind: 'retry', status: 400, errors: { code: MESSAGES.needCode }, needsCode: true };
      return { kind: 'retry', status: 400, errors: passwordErrors(set.errors) };
    });
  }

  /** Resend Email (212) or Registration (213) Verification: the user's address, never a page's. */
  async resendVerification(step: PasswordStep): Promise<PasswordLoginOutcome> {
    if (step.loginId && step.verify)
      await this.fusionAuth.resendVerification(this.providerOf(step), step.loginId, step.verify);
    return { kind: 'notice', message: MESSAGES.resent };
  }

  /** Forgot Password API; the answer is the same whether or not the address has an account. */
  async forgotPassword(email: string): Promise<PasswordLoginOutcome> {
    const outcome = await this.fusionAuth.forgotPassword(this.provider, email);
    return outcome === 'disabled'
      ? refused(503, MESSAGES.resetDisabled)
      : { kind: 'notice', message: MESSAGES.resetStarted };
  }

  /** The session of a completed login: a new session id, the tokens server side. */
  async establish(req: Request, outcome: LoginOutcome): Promise<void> {
    await this.sessions.establish(req, outcome.user, { auth: outcome.auth }, outcome.tokens);
    this.logger.log(`user ${outcome.user.id} signed in with a password`);
  }

  /** PasswordSignIn: a login that needs no further step, for pages that end in a sign-in. */
  async signIn(
    req: Request,
    loginId: string,
    password: string,
    options: { twoFactorTrustId?: string } = {},
  ): Promise<SignInResult> {
    const outcome = await this.counted(async () => {
      const result = await this.fusionAuth.login(this.provider, { loginId, password, ...options }, req.ip);
      return this.next(result, { provider: this.provider.name, origin: 'login', loginId });
    });
    if (outcome.kind === 'signed-in') {
      await this.establish(req, outcome.session);
      return 'ok';
    }
    if (outcome.kind === 'step') return 'incomplete';
    return outcome.kind === 'refused' && outcome.message === MESSAGES.deactivated ? 'deactivated' : 'refused';
  }

  private async afterPasswordSet(
    provider: ProviderConfig,
    oneTimePassword: string | undefined,
    step: PasswordStep,
    ip: string | undefined,
  ): Promise<PasswordLoginOutcome> {
    if (!oneTimePassword) return { kind: 'notice', message: MESSAGES.passwordChanged };
    // FusionAuth revokes the user's tokens on a password change and says so by webhook; tokens carry
    // whole seconds, so the new ones must come from the second after, or the revocation covers them.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (this.clock.now() % 1000)) + 1));
    const result = await this.fusionAuth.loginWithOneTimePassword(provider, oneTimePassword, ip);
    return this.next(result, step);
  }

  /** One Login API answer, documented status by documented status (apis/login, response codes). */
  private async next(result: LoginResult, ctx: StepContext): Promise<PasswordLoginOutcome> {
    const base = { provider: ctx.provider, origin: ctx.origin, loginId: ctx.loginId, returnTo: ctx.returnTo };
    switch (result.kind) {
      case 'ok':
        return this.signedIn(result);
      case 'two-factor':
        return { kind: 'step', step: { ...base, kind: 'two-factor', twoFactorId: result.twoFactorId } };
      case 'change-password':
        return {
          kind: 'step',
          step: {
            ...base,
            kind: 'change-password',
            changePasswordId: result.changePasswordId,
            reason: result.reason,
            trustToken: result.trustToken,
          },
        };
      case 'email-not-verified':
      case 'registration-not-verified': {
        const verify = result.kind === 'email-not-verified' ? 'email' : 'registration';
        return { kind: 'step', step: { ...base, kind: 'verify', verify, loginId: result.user.email ?? ctx.loginId } };
      }
      case 'prevented':
        return refused(
          403,
          [MESSAGES.prevented, ...result.actions.map((a) => a.reason ?? a.name).filter(Boolean)].join(' '),
        );
      case 'expired':
        return refused(403, MESSAGES.expired);
      case 'locked':
        return refused(403, MESSAGES.locked);
      case 'invalid-code':
      case 'two-factor-expired':
      case 'trusted':
        return refused(401, MESSAGES.restart);
      case 'not-registered':
      case 'invalid-credentials':
        // 202 as before: not registered for this application reads like any other refusal.
        this.logger.log(`password login refused: ${result.kind}`);
        return refused(401, MESSAGES.invalid);
    }
  }

  /** FusionAuth's token, checked like a bearer token (but fetched from FusionAuth itself, so a new `kid` refetches the keys): it must be ours, for this user, not deactivated. */
  private async signedIn(result: LoginTokens): Promise<PasswordLoginOutcome> {
    const provider = this.provider;
    let verified;
    try {
      verified = await this.verifier.verifyAccessToken(result.token, { fromProvider: true });
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) throw error;
      this.logger.warn(`password login: FusionAuth's token was rejected (${error.reason})`);
      return refused(401, MESSAGES.invalid);
    }
    const { claims } = verified;
    if (verified.provider.name !== provider.name || (result.user.id && result.user.id !== claims.sub))
      return refused(401, MESSAGES.invalid);
    if (claims.roles.includes(DEACTIVATED_ROLE)) return refused(401, MESSAGES.deactivated);
    const session = outcomeFromPasswordLogin(provider, claims, result, Math.floor(this.clock.now() / 1000));
    return { kind: 'signed-in', session };
  }

  private providerOf(step: PasswordStep): ProviderConfig {
    return this.config.provider(step.provider) ?? this.provider;
  }

  private async counted(run: () => Promise<PasswordLoginOutcome>): Promise<PasswordLoginOutcome> {
    try {
      const outcome = await run();
      if (outcome.kind === 'signed-in') this.metrics.login('password', 'success');
      else if (outcome.kind === 'refused') this.metrics.login('password', 'rejected');
      return outcome;
    } catch (error) {
      this.metrics.login('password', 'error');
      throw error;
    }
  }
}

const refused = (status: number, message: string): PasswordLoginOutcome => ({ kind: 'refused', status, message });

/** FusionAuth's refusals of a new password, in this form's words (breached, too short, reused...). */
const passwordErrors = (errors: readonly FusionAuthFieldError[]) => fusionAuthErrors(errors, { password: 'password' });
