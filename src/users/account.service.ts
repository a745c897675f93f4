import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import type { Request } from 'express';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { PasswordSignIn } from '../common/password-sign-in';
import { DenylistService } from '../denylist/denylist.service';
import { FusionAuthLoginService } from '../fusionauth/fusionauth-login.service';
import { FusionAuthService } from '../fusionauth/fusionauth.service';
import { SessionService } from '../session/session.service';
import { ChangePasswordForm } from './account-forms.dto';
import { FieldErrors, fusionAuthErrors, secret, text, validationErrors } from './forms';
import { revocationInstant, revocationTtlMs } from './service-revocation';

export interface SessionView {
  readonly handle: string;
  readonly current: boolean;
  readonly signedInAt: string;
  readonly lastSeenAt: string;
  readonly method: string;
  readonly device: string;
}

/** The change-password form's errors, and whether it now asks for a two-factor code. */
export interface PasswordFormErrors {
  readonly errors: FieldErrors;
  readonly needsCode: boolean;
}

const CODE = /^[A-Za-z0-9-]{6,64}$/;
const WRONG_CODE = 'That code is not correct. Check your authenticator app and try again.';
const NEED_CODE = 'Your account uses two-factor authentication: enter the code from your authenticator app too.';

/** A sign-in after a password change waits at most this long for the provider's next second. */
const MAX_SIGN_IN_WAIT_MS = 2000;

/** What the account pages do: list and end the user's sessions, change the password. */
@Injectable()
export class AccountService {
  private readonly logger = new Logger('Account');

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionService,
    private readonly fusionAuth: FusionAuthService,
    private readonly login: FusionAuthLoginService,
    private readonly denylist: DenylistService,
    private readonly signIn: PasswordSignIn,
    private readonly clock: Clock,
  ) {}

  async sessionsOf(req: Request): Promise<SessionView[]> {
    const current = { id: req.sessionID, data: req.session };
    const list = await this.sessions.sessionsOf(req.session.user!.id, current, req.session.auth?.provider);
    return list
      .map(({ id, data }) => ({
        handle: this.sessions.handleOf(id),
        current: id === req.sessionID,
        signedInAt: new Date(data.createdAt ?? 0).toISOString(),
        lastSeenAt: new Date(data.lastSeenAt ?? data.createdAt ?? 0).toISOString(),
        method: data.auth?.method === 'password' ? 'email and password' : `via ${data.auth?.provider ?? 'a provider'}`,
        device: deviceOf(data.client?.userAgent ?? ''),
      }))
      .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
  }

  /** Ends another of the user's sessions (found by its handle); its refresh token is revoked too. */
  async endSession(req: Request, handle: string): Promise<boolean> {
    const user = req.session.user!;
    const mine = await this.sessions.sessionsOf(user.id, undefined, req.session.auth?.provider);
    const target = mine.find(({ id }) => this.sessions.handleOf(id) === handle);
    if (!target || target.id === req.sessionID) return false;
    const tokens = await this.sessions.tokensOf(target.id);
    await this.sessions.endSession(user.id, target.id);
    const provider = target.data.auth ? this.config.provider(target.data.auth.provider) : undefined;
    // By its id: the token's value never goes into a URL.
    if (provider?.fusionAuth && tokens?.refreshTokenId)
      await this.fusionAuth.revokeRefreshTokenById(provider, tokens.refreshTokenId);
    this.logger.log(`user ${user.id} ended one of their sessions`);
    return true;
  }

  /** The provider that manages this user's password, when it is FusionAuth. */
  passwordProvider(req: Request): ProviderConfig | undefined {
    const provider = req.session.auth ? this.config.provider(req.session.auth.provider) : undefined;
    return provider?.fusionAuth && req.session.user?.email ? provider : undefined;
  }

  /**
   * Changes the password at FusionAuth. Every other session ends and every older token of the user
   * is refused; this browser stays signed in, on a new session with tokens issued after that. A
   * two-factor user proves the factor first (FusionAuth's `[TrustTokenRequired]`): the form then
   * asks for a code, and a step-up (Two Factor start + login) brings the trust token.
   */
  async changePassword(req: Request, body: Record<string, unknown>): Promise<PasswordFormErrors | undefined> {
    const form = plainToInstance(ChangePasswordForm, {
      currentPassword: secret(body.currentPassword),
      newPassword: secret(body.newPassword),
      confirmPassword: secret(body.confirmPassword),
    });
    const code = body.code === undefined ? undefined : text(body.code).replace(/\s/g, '');
    const errors = validationErrors(form);
    if (!errors.confirmPassword && form.confirmPassword !== form.newPassword)
      errors.confirmPassword = 'The two new passwords do not match.';
    if (!errors.newPassword && form.newPassword === form.currentPassword)
      errors.newPassword = 'Choose a password different from the current one.';
    if (code !== undefined && !CODE.test(code)) errors.code = 'Enter the code from your authenticator app.';
    if (Object.keys(errors).length > 0) return { errors, needsCode: code !== undefined };

    const provider = this.passwordProvider(req);
    if (!provider) throw new AppError('NOT_FOUND', "this account's password is not managed here");
    const user = req.session.user!;
    let trust: { trustToken?: string; trustChallenge?: string; twoFactorTrustId?: string } = {};
    if (code !== undefined) {
      const stepUp = await this.login.stepUp(provider, { userId: user.id }, code, req.ip);
      if (!stepUp.ok) return { errors: { code: WRONG_CODE }, needsCode: true };
      trust = stepUp;
    }
    const result = await this.fusionAuth.changePassword(provider, {
      loginId: user.email!,
      currentPassword: form.currentPassword,
      password: form.newPassword,
      trustToken: trust.trustToken,
      trustChallenge: trust.trustChallenge,
    });
    if (!result.ok && result.trustRequired) return { errors: { code: NEED_CODE }, needsCode: true };
    if (!result.ok) {
      const fields = { currentPassword: 'currentPassword', password: 'newPassword', loginId: 'currentPassword' };
      return { errors: fusionAuthErrors(result.errors, fields), needsCode: code !== undefined };
    }
    await this.endOtherSessions(req, provider);
    const signedIn = await this.signIn.signIn(req, user.email!, form.newPassword, {
      twoFactorTrustId: trust.twoFactorTrustId,
    });
    if (signedIn !== 'ok') throw new AppError('LOGIN_REQUIRED', 'signing in with the new password failed');
    this.logger.log(`user ${user.id} changed their password; other sessions ended`);
    return undefined;
  }

  /** After a password change: the user's older tokens are refused and their other sessions end. */
  private async endOtherSessions(req: Request, provider: ProviderConfig): Promise<void> {
    const user = req.session.user!;
    // FusionAuth's own instant of the change, by the clock its tokens carry.
    const changedAt = await this.fusionAuth.passwordChangedAt(provider, user.id);
    const now = this.clock.now();
    const instant = revocationInstant(changedAt, now);
    await this.denylist.revoke([
      {
        subject: { kind: 'user', issuerKey: provider.issuerKey, userId: user.id },
        instant,
        ttlMs: revocationTtlMs(instant, now, this.config.accessTokenTtlS),
      },
    ]);
    await this.sessions.endAllForUser(user.id, { except: req.sessionID, provider: provider.name });
    await this.untilProviderSecondAfter(instant, changedAt === undefined ? 0 : changedAt - now);
  }

  /**
   * Tokens carry whole seconds: the new ones must be issued in a later second than the revocation,
   * by the provider's clock. `offsetMs` is how far ahead of ours it was seen to be (a lower bound,
   * so this waits long enough), and the wait is bounded.
   */
  private async untilProviderSecondAfter(instant: number, offsetMs: number): Promise<void> {
    const wait = (Math.floor(instant / 1000) + 1) * 1000 - (this.clock.now() + offsetMs) + 1;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, MAX_SIGN_IN_WAIT_MS)));
  }
}

/** A short, human description of a browser from its User-Agent. */
export function deviceOf(userAgent: string): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : undefined;
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : undefined;
  if (!browser && !os) return userAgent ? 'Another program' : 'Unknown device';
  return [browser ?? 'A browser', os ? `on ${os}` : ''].filter(Boolean).join(' ');
}
