import type { RedisTarget } from './redis-target';
import type { TrustProxy } from './trust-proxy';

export type NodeEnv = 'development' | 'production' | 'test';
export type ProviderKind = 'fusionauth' | 'generic';
export type AuthMode = 'oidc' | 'password';
export type SessionStoreKind = 'redis' | 'memory';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface RateLimit {
  readonly limit: number;
  readonly windowS: number;
}

export interface ProviderConfig {
  /** Used in `?provider=` and in logs; `default` for the single-provider variables. */
  readonly name: string;
  readonly displayName: string;
  readonly kind: ProviderKind;
  readonly issuer: string;
  /** A short stable id of the issuer for Redis keys: subjects are only unique per issuer. */
  readonly issuerKey: string;
  /** OIDC_DISCOVERY_URL, else the issuer + `/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
  readonly idTokenAlgs: readonly string[];
  /**
   * Whether the `roles` of this provider's tokens grant anything here: always for FusionAuth (they
   * are this application's roles), for a generic provider only with OIDC_<NAME>_TRUST_ROLES=true.
   */
  readonly trustRoles: boolean;
  /**
   * FusionAuth API base and key, and the tenant sent as `X-FusionAuth-TenantId` on every call (with
   * more than one tenant FusionAuth refuses loginId and email calls without it); only for `kind: fusionauth`.
   */
  readonly fusionAuth?: { readonly url: string; readonly apiKey: string; readonly tenantId?: string };
  /** How this FusionAuth's webhooks prove themselves; set only for `kind: fusionauth`. */
  readonly webhook?: ProviderWebhookConfig;
}

/** One FusionAuth's webhook keys: each FusionAuth signs for its own path, never for another's. */
export interface ProviderWebhookConfig {
  /** With `jwt`: the only `kid` of the issuer's key set that verifies a signature. */
  readonly signingKeyId?: string;
  /** With `hmac`: every secret accepted at once (rotation); the UTF-8 bytes are the key. */
  readonly hmacSecrets: readonly string[];
}

export interface SessionConfig {
  readonly secret: string;
  readonly secretGenerated: boolean;
  /** `undefined`: Redis when it answers at start, else memory (never in production). */
  readonly store: SessionStoreKind | undefined;
  readonly idleTimeoutS: number;
  readonly absoluteTimeoutS: number;
  readonly cookieName: string;
  readonly cookieSecure: boolean;
}

/** How long an event id is remembered (its de-duplication window); WEBHOOK_MAX_AGE_S may not exceed it. */
export const WEBHOOK_DEDUP_WINDOW_S = 24 * 3600;

export interface WebhookConfig {
  /** `jwt` and `hmac` may both be on (a migration): a signature then verifies by either. */
  readonly jwt: boolean;
  readonly hmac: boolean;
  readonly basic: boolean;
  readonly basicUser?: string;
  readonly basicPassword?: string;
  /** Events whose `createInstant` is older than this are answered `ignored` (replay window). */
  readonly maxAgeS: number;
}

export interface AppConfigValues {
  readonly nodeEnv: NodeEnv;
  readonly production: boolean;
  readonly port: number;
  /** The public origin without a trailing slash, e.g. `https://app.example.com`. */
  readonly appUrl: string;
  readonly https: boolean;
  /** Express's `trust proxy`: which hops' X-Forwarded-* headers are believed (never `true` in production). */
  readonly trustProxy: TrustProxy;
  /** Never empty; the first one is the default provider. */
  readonly providers: readonly ProviderConfig[];
  readonly authModes: readonly AuthMode[];
  readonly session: SessionConfig;
  readonly redis: {
    readonly url: string;
    readonly urlExplicit: boolean;
    readonly keyPrefix: string;
    /** Standalone, sentinel or cluster, with its nodes. */
    readonly target: RedisTarget;
    /** Replicas that must confirm a revocation (`WAIT`) before it is answered, and how long to wait. */
    readonly waitReplicas: number;
    readonly waitTimeoutMs: number;
  };
  /**
   * Per client IP: login, callback, password login, registration and password change; the webhook;
   * and per signed-in user, the password change.
   */
  readonly rateLimits: { readonly login: RateLimit; readonly webhook: RateLimit; readonly passwordChange: RateLimit };
  /** The service's own registration form (`/auth/register`). */
  readonly registrationEnabled: boolean;
  readonly logLevel: LogLevel;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  /** METRICS_PUBLIC=true: /metrics without a token on purpose (production needs this or the token). */
  readonly metricsPublic: boolean;
  /** How long a shutdown waits for requests in flight before it closes everything anyway. */
  readonly shutdownTimeoutS: number;
  readonly accessTokenTtlS: number;
  /** Sensitive actions need a login at most this old (s). */
  readonly reauthMaxAgeS: number;
  readonly webhook: WebhookConfig;
  readonly denylistFailureMode: 'closed' | 'open';
  readonly devIdpPort: number;
  /** Things worth one warning line at start (a generated secret, the memory store, ...). */
  readonly warnings: readonly string[];
}

/** The validated configuration; the only way the rest of the service learns about its environment. */
export class AppConfig implements AppConfigValues {
  readonly nodeEnv!: NodeEnv;
  readonly production!: boolean;
  readonly port!: number;
  readonly appUrl!: string;
  readonly https!: boolean;
  readonly trustProxy!: TrustProxy;
  readonly providers!: readonly ProviderConfig[];
  readonly authModes!: readonly AuthMode[];
  readonly session!: SessionConfig;
  readonly redis!: AppConfigValues['redis'];
  readonly accessTokenTtlS!: number;
  readonly reauthMaxAgeS!: number;
  readonly webhook!: WebhookConfig;
  readonly denylistFailureMode!: 'closed' | 'open';
  readonly devIdpPort!: number;
  readonly rateLimits!: AppConfigValues['rateLimits'];
  readonly registrationEnabled!: boolean;
  readonly logLevel!: LogLevel;
  readonly metricsToken?: string;
  readonly metricsPublic!: boolean;
  readonly shutdownTimeoutS!: number;
  readonly warnings!: readonly string[];

  constructor(values: AppConfigValues) {
    Object.assign(this, values);
    Object.freeze(this);
  }

  get defaultProvider(): ProviderConfig {
    return this.providers[0]!;
  }

  provider(name: string): ProviderConfig | undefined {
    return this.providers.find((p) => p.name === name);
  }

  hasAuthMode(mode: AuthMode): boolean {
    return this.authModes.includes(mode);
  }

  /** APP_URL + path, for redirect URIs and absolute links. */
  url(path: string): string {
    return `${this.appUrl}${path}`;
  }
}
