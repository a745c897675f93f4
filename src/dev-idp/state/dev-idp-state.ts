import { randomUUID } from 'node:crypto';
import type {
  Application,
  EmailTemplate,
  Tenant,
  User,
  UserAction,
  UserActionLog,
  UserActionReason,
  UserRegistration,
  Webhook,
} from '@fusionauth/typescript-client';
import { LoginFlows } from './login-flows';
import { Outbox } from './outbox';
import { SigningKey } from './signing-keys';

/** FusionAuth's own admin application always exists, with this id (kickstart's FUSIONAUTH_APPLICATION_ID). */
export const FUSIONAUTH_APPLICATION_ID = '3c219e58-ed0e-4b18-ad48-f4f92793ae32';
export const DEFAULT_ISSUER = 'acme.com';

export interface StoredUser {
  /** What the API returns; never holds the password. */
  user: User;
  passwordHash?: string;
}

/** A refresh token issued by the Login API (OAuth refresh tokens live in the OIDC provider's store). */
export interface LoginRefreshToken {
  id: string;
  token: string;
  userId: string;
  applicationId: string;
  tenantId: string;
  insertInstant: number;
  startInstant: number;
  authTime: number;
  expiresAt: number;
}

/** Everything a FusionAuth instance would hold, in memory: a restart re-reads the kickstart. */
export class DevIdpState {
  readonly tenants = new Map<string, Tenant>();
  readonly applications = new Map<string, Application>();
  readonly users = new Map<string, StoredUser>();
  readonly keys = new Map<string, SigningKey>();
  readonly apiKeys = new Set<string>();
  readonly webhooks = new Map<string, Webhook>();
  readonly loginRefreshTokens = new Map<string, LoginRefreshToken>();
  readonly userActions = new Map<string, UserAction>();
  readonly userActionReasons = new Map<string, UserActionReason>();
  /** Actions taken on users (`POST /api/user/action`); a `preventLogin` one that has not ended blocks logins (409). */
  readonly actionLogs: UserActionLog[] = [];
  readonly emailTemplates = new Map<string, EmailTemplate>();
  readonly outbox = new Outbox();
  /** The latest API calls (method, path, tenant header): tests check what a client sent. */
  readonly apiCalls: { method: string; path: string; tenantId?: string }[] = [];
  readonly flows: LoginFlows;
  defaultTenantId: string;
  /** Tests shorten every access token's lifetime with this. */
  accessTokenTtlOverrideS?: number;

  constructor(
    readonly now: () => number = Date.now,
    defaultTenantId: string = randomUUID(),
  ) {
    this.defaultTenantId = defaultTenantId;
    this.flows = new LoginFlows(now);
    this.tenants.set(defaultTenantId, { id: defaultTenantId, name: 'Default', issuer: DEFAULT_ISSUER });
    this.applications.set(FUSIONAUTH_APPLICATION_ID, {
      id: FUSIONAUTH_APPLICATION_ID,
      name: 'FusionAuth',
      tenantId: defaultTenantId,
      active: true,
      roles: [{ name: 'admin', isSuperRole: true }],
      oauthConfiguration: { enabledGrants: [] },
    });
  }

  recordCall(call: { method: string; path: string; tenantId?: string }): void {
    this.apiCalls.push(call);
    if (this.apiCalls.length > 500) this.apiCalls.splice(0, this.apiCalls.length - 500);
  }

  /** Kickstart may choose the default tenant's id; everything made so far moves with it. */
  renameDefaultTenant(id: string): void {
    const tenant = this.tenants.get(this.defaultTenantId)!;
    this.tenants.delete(this.defaultTenantId);
    this.tenants.set(id, { ...tenant, id });
    for (const app of this.applications.values()) if (app.tenantId === this.defaultTenantId) app.tenantId = id;
    this.defaultTenantId = id;
  }

  get defaultTenant(): Tenant {
    return this.tenants.get(this.defaultTenantId)!;
  }

  tenantOf(application: Application): Tenant {
    return this.tenants.get(application.tenantId ?? this.defaultTenantId) ?? this.defaultTenant;
  }

  issuerOf(application: Application | undefined): string {
    return (application ? this.tenantOf(application) : this.defaultTenant).issuer ?? DEFAULT_ISSUER;
  }

  /** Emails and usernames are unique per tenant only: a lookup names the tenant. */
  userByEmail(email: string, tenantId: string): StoredUser | undefined {
    const wanted = email.trim().toLowerCase();
    for (const stored of this.users.values()) {
      if (stored.user.tenantId === tenantId && stored.user.email?.toLowerCase() === wanted) return stored;
    }
    return undefined;
  }

  userByLoginId(loginId: string, tenantId: string): StoredUser | undefined {
    const wanted = loginId.trim().toLowerCase();
    for (const stored of this.users.values()) {
      if (stored.user.tenantId !== tenantId) continue;
      if (stored.user.email?.toLowerCase() === wanted || stored.user.username?.toLowerCase() === wanted) return stored;
    }
    return undefined;
  }

  /** The actions that prevent this user's login now (apis/login 409), for an application or all. */
  preventingActions(userId: string, applicationId: string | undefined): UserActionLog[] {
    const now = this.now();
    return this.actionLogs.filter((log) => {
      if (log.actioneeUserId !== userId || (log.expiry !== undefined && log.expiry <= now)) return false;
      if (!this.userActions.get(log.userActionId ?? '')?.preventLogin) return false;
      const apps = log.applicationIds ?? [];
      return apps.length === 0 || (applicationId !== undefined && apps.includes(applicationId));
    });
  }

  registration(user: User, applicationId: string): UserRegistration | undefined {
    return user.registrations?.find((r) => r.applicationId === applicationId);
  }

  /** The key that signs access tokens for an application: its own, else its tenant's. */
  accessTokenKey(application: Application): SigningKey | undefined {
    const id = application.jwtConfiguration?.enabled
      ? application.jwtConfiguration.accessTokenKeyId
      : this.tenantOf(application).jwtConfiguration?.accessTokenKeyId;
    return (id ? this.keys.get(id) : undefined) ?? this.firstAsymmetricKey();
  }

  idTokenKey(application: Application): SigningKey | undefined {
    const id = application.jwtConfiguration?.enabled
      ? application.jwtConfiguration.idTokenKeyId
      : this.tenantOf(application).jwtConfiguration?.idTokenKeyId;
    return (id ? this.keys.get(id) : undefined) ?? this.accessTokenKey(application);
  }

  accessTokenTtlS(application: Application): number {
    if (this.accessTokenTtlOverrideS !== undefined) return this.accessTokenTtlOverrideS;
    const fromApp = application.jwtConfiguration?.enabled
      ? application.jwtConfiguration.timeToLiveInSeconds
      : undefined;
    return fromApp ?? this.tenantOf(application).jwtConfiguration?.timeToLiveInSeconds ?? 3600;
  }

  refreshTokenTtlS(application: Application): number {
    const fromApp = application.jwtConfiguration?.enabled
      ? application.jwtConfiguration.refreshTokenTimeToLiveInMinutes
      : undefined;
    return 60 * (fromApp ?? this.tenantOf(application).jwtConfiguration?.refreshTokenTimeToLiveInMinutes ?? 43200);
  }

  /** Every asymmetric key, as FusionAuth publishes them at /.well-known/jwks.json. */
  publicJwks(): NonNullable<SigningKey['publicJwk']>[] {
    return [...this.keys.values()].flatMap((k) => (k.publicJwk ? [k.publicJwk] : []));
  }

  private firstAsymmetricKey(): SigningKey | undefined {
    return [...this.keys.values()].find((k) => k.type !== 'HMAC');
  }
}
