import { Injectable, Logger } from '@nestjs/common';
import type { SessionData } from 'express-session';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { DenylistService } from '../denylist/denylist.service';
import { FusionAuthLoginService } from '../fusionauth/fusionauth-login.service';
import { FusionAuthService } from '../fusionauth/fusionauth.service';
import { IndexReadAhead } from '../session/index-read-ahead.store';
import { SessionService } from '../session/session.service';
import { SessionAuth, SessionUser } from '../session/session-user';
import { ChangePasswordForm } from './account-forms.dto';
import { FieldErrors, fusionAuthErrors } from './forms';
import { revocationInstant, revocationTtlMs } from './service-revocation';

export interface SessionView {
  readonly handle: string;
  readonly current: boolean;
  /** ms since the epoch; the view shows them (`{{time}}`). */
  readonly signedInAt: number;
  readonly lastSeenAt: number;
  readonly method: string;
  readonly device: string;
}

/** Who the account pages act for, as the controller reads it from the session: plain values. */
export interface SignedInAccount {
  readonly user: SessionUser;
  readonly sessionId: string;
  readonly session: SessionData;
  /** The user's session index, when it was read with the session. */
  readonly indexRead?: IndexReadAhead;
}

/**
 * Changed (sign in again with the new password, and the trust a step-up brought), or refused: the
 * form's errors, and whether it now asks for a two-factor code.
 */
export type PasswordChangeResult =
  | { readonly ok: true; readonly loginId: string; readonly twoFactorTrustId?: string }
  | { readonly ok: false; readonly errors: FieldErrors; readonly needsCode: boolean };

/** A refusal about the two-factor code: the form asks for one from now on. */
const refused = (errors: FieldErrors): PasswordChangeResult => ({ ok: false, errors, needsCode: true });

const CODE = /^[A-Za-z0-9-]{6,64}$/;
const WRONG_CODE = 'That code is not correct. Check your authenticator app and try again.';
const NEED_CODE = 'Your account uses two-factor authentication: enter the code from your authenticator app too.';

/** The new password's sign-in waits at most this long for the provider's next second. */
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
    private readonly clock: Clock,
  ) {}

  async sessionsOf(account: SignedInAccount): Promise<SessionView[]> {
    const current = { id: account.sessionId, data: account.session, indexRead: account.indexRead };
    const list = await this.sessions.sessionsOf(account.user.id, current, account.session.auth?.provider);
    return list
      .map(({ id, data }) => ({
        handle: this.sessions.handleOf(id),
        current: id === account.sessionId,
        signedInAt: data.createdAt ?? 0,
        lastSeenAt: data.lastSeenAt ?? data.createdAt ?? 0,
        method: this.signInMethod(data.auth),
        device: deviceOf(data.client?.userAgent ?? ''),
      }))
      .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt - a.lastSeenAt);
  }

  /** "email and password", or "via FusionAuth": the provider's display name, never its config name. */
  signInMethod(auth: SessionAuth | undefined): string {
    if (auth?.method === 'password') return 'email and password';
    const provider = auth ? this.config.providers.find((p) => p.name === auth.provider) : undefined;
    return `via ${provider?.displayName ?? 'a provider'}`;
  }

  /** Ends another of the user's sessions (found by its handle); its refresh token is revoked too. */
  async endSession(account: SignedInAccount, handle: string): Promise<boolean> {
    const { user } = account;
    const mine = await this.sessions.sessionsOf(user.id, undefined, account.session.auth?.provider);
    const target = mine.find(({ id }) => this.sessions.handleOf(id) === handle);
    if (!target || target.id === account.sessionId) return false;
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
  passwordProvider(account: SignedInAccount): ProviderConfig | undefined {
    const auth = account.session.auth;
    const provider = auth ? this.config.provider(auth.provider) : undefined;
    return provider?.fusionAuth && account.user.email ? provider : undefined;
  }

  /**
   * Changes the password at FusionAuth. Every other session ends and every older token of the user
   * is refused; the caller then signs this browser in again with the new password (a new session,
   * tokens issued after that). A two-factor user proves the factor first (FusionAuth's
   * `[TrustTokenRequired]`): the form then asks for a code, and a step-up (Two Factor start +
   * login) brings the trust token.
   */
  async changePassword(
    account: SignedInAccount,
    form: ChangePasswordForm,
    ip: string | undefined,
  ): Promise<PasswordChangeResult> {
    const code = form.code === undefined ? undefined : form.code.replace(/\s/g, '');
    if (code !== undefined && !CODE.test(code)) return refused({ code: 'Enter the code from your authenticator app.' });

    const provider = this.passwordProvider(account);
    if (!provider) throw new AppError('NOT_FOUND', "this account's password is not managed here");
    const { user } = account;
    let trust: { trustToken?: string; trustChallenge?: string; twoFactorTrustId?: string } = {};
    if (code !== undefined) {
      const stepUp = await this.login.stepUp(provider, { userId: user.id }, code, ip);
      if (!stepUp.ok) return refused({ code: WRONG_CODE });
      trust = stepUp;
    }
    const result = await this.fusionAuth.changePassword(provider, {
      loginId: user.email!,
      currentPassword: form.currentPassword,
      password: form.newPassword,
      trustToken: trust.trustToken,
      trustChallenge: trust.trustChallenge,
    });
    if (!result.ok && result.trustRequired) return refused({ code: NEED_CODE });
    if (!result.ok) {
      const fields = { currentPassword: 'currentPassword', password: 'newPassword', loginId: 'currentPassword' };
      return { ok: false, errors: fusionAuthErrors(result.errors, fields), needsCode: code !== undefined };
    }
    await this.endOtherSessions(account, provider);
    this.logger.log(`user ${user.id} changed their password; other sessions ended`);
    return { ok: true, loginId: user.email!, twoFactorTrustId: trust.twoFactorTrustId };
  }

  /** After a password change: the user's older tokens are refused and their other sessions end. */
  private async endOtherSessions(account: SignedInAccount, provider: ProviderConfig): Promise<void> {
    const { user } = account;
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
    await this.sessions.endAllForUser(user.id, { except: account.sessionId, provider: provider.name });
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
