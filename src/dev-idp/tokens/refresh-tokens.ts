import { randomBytes, randomUUID } from 'node:crypto';
import type { Application, User } from '@fusionauth/typescript-client';
import { OidcStore } from '../oidc/oidc-store';
import { DevIdpState, LoginRefreshToken } from '../state/dev-idp-state';
import { RevokedRefreshToken } from '../webhooks/events';

export interface RefreshTokenFilter {
  readonly userId?: string;
  readonly applicationId?: string;
  readonly id?: string;
  readonly token?: string;
}

/**
 * Every refresh token the dev IdP has issued, as FusionAuth's refresh-token API sees them: the Login
 * API's own, and the OAuth ones held by oidc-provider (one per grant; the grant id is the token's id
 * and the access token's `sid`).
 */
export class RefreshTokens {
  constructor(
    private readonly state: DevIdpState,
    private readonly oidc: OidcStore,
  ) {}

  issueForLogin(user: User, application: Application, authTime: number): LoginRefreshToken {
    const now = this.state.now();
    const record: LoginRefreshToken = {
      id: randomUUID(),
      token: randomBytes(40).toString('base64url'),
      userId: user.id!,
      applicationId: application.id!,
      tenantId: this.state.tenantOf(application).id!,
      insertInstant: now,
      startInstant: now,
      authTime,
      expiresAt: now + this.state.refreshTokenTtlS(application) * 1000,
    };
    this.state.loginRefreshTokens.set(record.id, record);
    return record;
  }

  /** /api/jwt/refresh: the live record for a value; one-time-use tokens get a new value, same id. */
  exchange(value: string): LoginRefreshToken | undefined {
    const record = [...this.state.loginRefreshTokens.values()].find((r) => r.token === value);
    if (!record || record.expiresAt <= this.state.now()) return undefined;
    const application = this.state.applications.get(record.applicationId);
    const policy = application?.jwtConfiguration?.enabled
      ? application.jwtConfiguration.refreshTokenUsagePolicy
      : application && this.state.tenantOf(application).jwtConfiguration?.refreshTokenUsagePolicy;
    if (String(policy) === 'OneTimeUse') record.token = randomBytes(40).toString('base64url');
    return record;
  }

  list(filter: RefreshTokenFilter): RevokedRefreshToken[] {
    const login = [...this.state.loginRefreshTokens.values()]
      .filter((r) => r.expiresAt > this.state.now())
      .map((r) => ({ ...describe(r), token: r.token }));
    const oauth = this.oauthFamilies();
    return [...login, ...oauth].filter((r) => matches(r, filter)).map(({ token: _token, ...record }) => record);
  }

  /** Revokes what the filter names; returns what was live before. */
  revoke(filter: RefreshTokenFilter): RevokedRefreshToken[] {
    const revoked = this.list(filter);
    for (const record of revoked) {
      if (this.state.loginRefreshTokens.delete(record.id)) continue;
      this.oidc.revokeGrant(record.id);
    }
    return revoked;
  }

  private oauthFamilies(): (RevokedRefreshToken & { token?: string })[] {
    const families = new Map<string, RevokedRefreshToken & { token?: string }>();
    for (const rt of this.oidc.list('RefreshToken', (p) => !p.consumed && typeof p.grantId === 'string')) {
      const grantId = rt.grantId as string;
      families.set(grantId, {
        id: grantId,
        userId: String(rt.accountId),
        applicationId: String(rt.clientId),
        insertInstant: Number(rt.iiat ?? rt.iat) * 1000,
        startInstant: Number(rt.iat) * 1000,
        token: String(rt.jti),
      });
    }
    return [...families.values()];
  }
}

const describe = (r: LoginRefreshToken): RevokedRefreshToken => ({
  id: r.id,
  userId: r.userId,
  applicationId: r.applicationId,
  insertInstant: r.insertInstant,
  startInstant: r.startInstant,
});

function matches(record: RevokedRefreshToken & { token?: string }, filter: RefreshTokenFilter): boolean {
  if (filter.userId !== undefined && record.userId !== filter.userId) return false;
  if (filter.applicationId !== undefined && record.applicationId !== filter.applicationId) return false;
  if (filter.id !== undefined && record.id !== filter.id) return false;
  if (filter.token !== undefined && record.token !== filter.token) return false;
  return true;
}
