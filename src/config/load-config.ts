import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig, AuthMode, LogLevel, NodeEnv, RateLimit, WEBHOOK_DEDUP_WINDOW_S, WebhookConfig } from './app-config';
import { ConfigError, ConfigProblem } from './config.errors';
import { DEV_DEFAULTS } from './dev-defaults';
import { EnvSchema, isSecretVariable } from './env.schema';
import { loadProviders } from './load-providers';
import { redactUrl } from './redact';
import { parseRedisTarget, RedisTarget } from './redis-target';
import { parseTrustProxy, TrustProxy } from './trust-proxy';

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  randomBytes?: (size: number) => Buffer;
}

const MIN_PRODUCTION_SECRET_LENGTH = 32;
const schemaKeys = Object.keys(new EnvSchema());

/** Reads, validates and types the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): AppConfig {
  const vars = withoutEmptyValues(env);
  const problems = validateShapes(vars);
  const bad = new Set(problems.map((p) => p.variable));
  const ok = (name: string): string | undefined => (bad.has(name) ? undefined : vars[name]);
  const report = (variable: string, reason: string) => problems.push({ variable, reason });

  const nodeEnv = (ok('NODE_ENV') ?? 'development') as NodeEnv;
  const production = nodeEnv === 'production';
  const appUrl = parseAppUrl(ok('APP_URL') ?? DEV_DEFAULTS.appUrl, report);
  const https = appUrl.startsWith('https:');
  const webhook = parseWebhook(vars, ok('WEBHOOK_VERIFY') ?? 'jwt', Number(ok('WEBHOOK_MAX_AGE_S') ?? 0), report);
  const providers = loadProviders(vars, bad, production, webhook, report);
  const authModes = parseAuthModes(ok('AUTH_MODES'), providers[0]?.kind === 'fusionauth', report);
  const idle = Number(ok('SESSION_IDLE_TIMEOUT_S') ?? 1800);
  const absolute = Number(ok('SESSION_ABSOLUTE_TIMEOUT_S') ?? 28800);
  if (idle > absolute) report('SESSION_IDLE_TIMEOUT_S', 'must not be longer than SESSION_ABSOLUTE_TIMEOUT_S');

  const warnings: string[] = [];
  const givenSecret = ok('SESSION_SECRET');
  const secret = givenSecret ?? (options.randomBytes ?? cryptoRandomBytes)(32).toString('base64url');
  if (givenSecret === undefined && !production) {
    warnings.push('SESSION_SECRET is not set: generated one for this run, so sessions end when the process restarts');
  }
  const store = ok('SESSION_STORE') as 'redis' | 'memory' | undefined;
  const redisUrl = ok('REDIS_URL') ?? DEV_DEFAULTS.redisUrl;
  const redisTarget = parseRedisTarget(redisUrl);
  if ('error' in redisTarget) report('REDIS_URL', `${redisTarget.error} ${describeValue('REDIS_URL', redisUrl)}`);
  const trustProxy = readTrustProxy(ok('TRUST_PROXY'), report);
  const metricsToken = ok('METRICS_TOKEN');
  const metricsPublic = isTrue(ok('METRICS_PUBLIC'));
  if (metricsToken && metricsPublic) report('METRICS_PUBLIC', 'must not be true when METRICS_TOKEN is set: choose one');

  if (production) {
    const refuse = (variable: string, reason: string) => report(variable, `${reason} (refused in production)`);
    if (!bad.has('SESSION_SECRET') && (givenSecret?.length ?? 0) < MIN_PRODUCTION_SECRET_LENGTH) {
      refuse('SESSION_SECRET', `must be set to at least ${MIN_PRODUCTION_SECRET_LENGTH} random characters`);
    }
    if (!https && ok('ALLOW_INSECURE_HTTP') !== 'true' && !bad.has('APP_URL')) {
      refuse('APP_URL', 'must be an https URL unless ALLOW_INSECURE_HTTP=true');
    }
    if (vars.REDIS_URL === undefined) refuse('REDIS_URL', 'must be set');
    if (store === 'memory') refuse('SESSION_STORE', 'memory keeps sessions in one process only');
    if (!webhook.jwt && !webhook.hmac) refuse('WEBHOOK_VERIFY', 'must include jwt or hmac: webhooks must be signed');
    if (trustProxy === true) refuse('TRUST_PROXY', `must not be true: ${TRUST_ALL_RISK}`);
    if (!metricsToken && !metricsPublic && !bad.has('METRICS_TOKEN') && !bad.has('METRICS_PUBLIC')) {
      refuse('METRICS_TOKEN', 'must be set, or METRICS_PUBLIC=true to serve /metrics to anyone on purpose');
    }
  }
  if (trustProxy === true && !production) warnings.push(`TRUST_PROXY=true: ${TRUST_ALL_RISK}`);
  if (ok('DENYLIST_FAILURE_MODE') === 'open') {
    warnings.push('DENYLIST_FAILURE_MODE=open: revoked tokens are accepted while the revocation state cannot be read');
  }
  if (https && trustProxy === false && !bad.has('TRUST_PROXY')) {
    warnings.push(
      'APP_URL is https but TRUST_PROXY is false: behind a TLS proxy the Secure session cookie is never set ' +
        '(TRUST_PROXY=1 behind one load balancer)',
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return new AppConfig({
    nodeEnv,
    production,
    port: Number(ok('PORT') ?? 3000),
    appUrl,
    https,
    trustProxy,
    providers,
    authModes,
    session: {
      secret,
      secretGenerated: givenSecret === undefined,
      store: store ?? (production ? 'redis' : undefined),
      idleTimeoutS: idle,
      absoluteTimeoutS: absolute,
      // The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only, Path=/.
      cookieName: https ? '__Host-sid' : 'sid',
      cookieSecure: https,
    },
    redis: {
      url: redisUrl,
      urlExplicit: vars.REDIS_URL !== undefined,
      keyPrefix: ok('REDIS_KEY_PREFIX') ?? DEV_DEFAULTS.redisKeyPrefix,
      target: redisTarget as RedisTarget,
    },
    rateLimits: {
      login: parseRate(ok('RATE_LIMIT_LOGIN') ?? '20/60'),
      webhook: parseRate(ok('RATE_LIMIT_WEBHOOK') ?? '3000/10'),
      passwordChange: parseRate(ok('RATE_LIMIT_PASSWORD_CHANGE') ?? '5/300'),
    },
    // Self-service sign-up is something an operator opts into in production, not a default.
    registrationEnabled: ok('REGISTRATION_ENABLED') === undefined ? !production : isTrue(ok('REGISTRATION_ENABLED')),
    logLevel: (ok('LOG_LEVEL') ?? 'info') as LogLevel,
    metricsToken,
    metricsPublic,
    shutdownTimeoutS: Number(ok('SHUTDOWN_TIMEOUT_S') ?? 10),
    accessTokenTtlS: Number(ok('ACCESS_TOKEN_TTL_S') ?? 3600),
    reauthMaxAgeS: Number(ok('REAUTH_MAX_AGE_S') ?? 600),
    webhook,
    denylistFailureMode: ok('DENYLIST_FAILURE_MODE') === 'open' ? 'open' : 'closed',
    devIdpPort: Number(ok('DEV_IDP_PORT') ?? 9011),
    warnings,
  });
}

function withoutEmptyValues(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

function validateShapes(vars: Record<string, string>): ConfigProblem[] {
  const known = Object.fromEntries(schemaKeys.filter((k) => k in vars).map((k) => [k, vars[k]]));
  const errors = validateSync(plainToInstance(EnvSchema, known), { forbidUnknownValues: false });
  return errors.map((error) => {
    const reason = Object.values(error.constraints ?? {})[0] ?? `${error.property}: is invalid`;
    return {
      variable: error.property,
      reason: `${reason.slice(error.property.length + 2)} ${describeValue(error.property, vars[error.property])}`,
    };
  });
}

/** Shows what was given, except for secrets; credentials inside a URL are masked. */
export function describeValue(variable: string, value: string | undefined): string {
  if (value === undefined) return '(not set)';
  if (isSecretVariable(variable)) return '(value redacted)';
  return `(got "${redactUrl(value)}")`;
}

function parseAppUrl(value: string, report: (v: string, r: string) => void): string {
  const url = new URL(value);
  if (url.search || url.hash || url.pathname !== '/') {
    report('APP_URL', `must be an origin without path, query or fragment ${describeValue('APP_URL', value)}`);
  }
  return url.origin;
}

function parseAuthModes(value: string | undefined, fusionAuth: boolean, report: (v: string, r: string) => void) {
  const modes = (value ?? (fusionAuth ? 'oidc,password' : 'oidc')).split(',') as AuthMode[];
  if (modes.includes('password') && !fusionAuth) {
    report(
      'AUTH_MODES',
      "password login needs FusionAuth's Login API: the default provider must be OIDC_PROVIDER=fusionauth",
    );
  }
  return [...new Set(modes)];
}

function parseWebhook(
  vars: Record<string, string>,
  verify: string,
  maxAgeS: number,
  report: (v: string, r: string) => void,
): WebhookConfig {
  const ways = new Set(verify.split(','));
  const config: WebhookConfig = {
    // Both at once is a migration between FusionAuth's key types: a signature verifies by either.
    jwt: ways.has('jwt'),
    hmac: ways.has('hmac'),
    basic: ways.has('basic'),
    basicUser: vars.WEBHOOK_BASIC_USER,
    basicPassword: vars.WEBHOOK_BASIC_PASSWORD,
    maxAgeS: maxAgeS || WEBHOOK_DEDUP_WINDOW_S,
  };
  // An event older than its id is remembered could be replayed as new: the window must cover it.
  if (maxAgeS > WEBHOOK_DEDUP_WINDOW_S) {
    report('WEBHOOK_MAX_AGE_S', `must be at most ${WEBHOOK_DEDUP_WINDOW_S} (the de-duplication window)`);
  }
  if (config.basic && !config.basicUser) report('WEBHOOK_BASIC_USER', 'must be set when WEBHOOK_VERIFY includes basic');
  if (config.basic && !config.basicPassword) {
    report('WEBHOOK_BASIC_PASSWORD', 'must be set when WEBHOOK_VERIFY includes basic');
  }
  return config;
}

/** Why TRUST_PROXY=true is refused in production and warned about elsewhere. */
const TRUST_ALL_RISK =
  'every X-Forwarded-For entry is believed, and the left-most is written by the client, so any client ' +
  'chooses its own address (rate limits, logs, the address FusionAuth records); give the number of ' +
  'proxies in front instead (TRUST_PROXY=1 behind one load balancer), or their addresses (loopback, CIDRs)';

function readTrustProxy(value: string | undefined, report: (v: string, r: string) => void): TrustProxy {
  if (value === undefined) return false;
  const parsed = parseTrustProxy(value);
  if ('value' in parsed) return parsed.value;
  report('TRUST_PROXY', `${parsed.error} ${describeValue('TRUST_PROXY', value)}`);
  return false;
}

function parseRate(value: string): RateLimit {
  const [limit, windowS] = value.split('/').map(Number) as [number, number];
  return { limit, windowS };
}

const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';
