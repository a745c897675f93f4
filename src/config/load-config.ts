import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { AppConfig, AuthMode, WebhookConfig } from './app-config';
import { ConfigError, ConfigProblem } from './config.errors';
import { ReadContext, readTable, Values, Vars } from './env-reader';
import { loadProviders } from './load-providers';
import { SERVICE_VARIABLES, TRUST_ALL_RISK } from './service-variables';

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  randomBytes?: (size: number) => Buffer;
}

type ServiceValues = Values<typeof SERVICE_VARIABLES>;
type Bad = ReadonlySet<keyof typeof SERVICE_VARIABLES>;

/**
 * Reads, validates and types the environment; throws one ConfigError naming every bad variable.
 * Each variable's form, default and single-variable production rule come from its declaration
 * (service-variables.ts, provider-variables.ts); the rules between variables are here.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): AppConfig {
  const vars = withoutEmptyValues(env);
  const problems: ConfigProblem[] = [];
  const report = (variable: string, reason: string) => problems.push({ variable, reason });
  // Known first: it decides the defaults and rules of the others. A bad value reads as development
  // here, and the table reports it.
  const production = vars.NODE_ENV === 'production';
  const context: ReadContext = { vars, production, report };
  const { values: v, given, bad } = readTable(SERVICE_VARIABLES, context);

  const webhook = webhookConfig(v, report);
  const providers = loadProviders(v.OIDC_PROVIDERS, context, webhook);
  const fusionAuth = providers[0]?.kind === 'fusionauth';
  const authModes: AuthMode[] = v.AUTH_MODES ?? (fusionAuth ? ['oidc', 'password'] : ['oidc']);
  if (authModes.includes('password') && !fusionAuth) {
    report(
      'AUTH_MODES',
      "password login needs FusionAuth's Login API: the default provider must be OIDC_PROVIDER=fusionauth",
    );
  }
  if (v.SESSION_IDLE_TIMEOUT_S > v.SESSION_ABSOLUTE_TIMEOUT_S) {
    report('SESSION_IDLE_TIMEOUT_S', 'must not be longer than SESSION_ABSOLUTE_TIMEOUT_S');
  }
  if (v.METRICS_TOKEN && v.METRICS_PUBLIC) {
    report('METRICS_PUBLIC', 'must not be true when METRICS_TOKEN is set: choose one');
  }
  if (production) refuseInProduction(v, bad, report);
  const warnings = warningsOf(v, bad, production);
  if (problems.length > 0) throw new ConfigError(problems);

  const https = v.APP_URL.startsWith('https:');
  const secret = v.SESSION_SECRET ?? (options.randomBytes ?? cryptoRandomBytes)(32).toString('base64url');
  return new AppConfig({
    nodeEnv: v.NODE_ENV,
    production,
    port: v.PORT,
    appUrl: v.APP_URL,
    https,
    trustProxy: v.TRUST_PROXY,
    providers,
    authModes,
    session: {
      secret,
      secretGenerated: v.SESSION_SECRET === undefined,
      store: v.SESSION_STORE,
      idleTimeoutS: v.SESSION_IDLE_TIMEOUT_S,
      absoluteTimeoutS: v.SESSION_ABSOLUTE_TIMEOUT_S,
      // The __Host- prefix makes the browser refuse the cookie unless it is Secure, host-only, Path=/.
      cookieName: https ? '__Host-sid' : 'sid',
      cookieSecure: https,
    },
    redis: {
      url: v.REDIS_URL.url,
      urlExplicit: given.has('REDIS_URL'),
      keyPrefix: v.REDIS_KEY_PREFIX,
      target: v.REDIS_URL,
      waitReplicas: v.REDIS_WAIT_REPLICAS,
      waitTimeoutMs: v.REDIS_WAIT_TIMEOUT_MS,
    },
    rateLimits: {
      login: v.RATE_LIMIT_LOGIN,
      webhook: v.RATE_LIMIT_WEBHOOK,
      passwordChange: v.RATE_LIMIT_PASSWORD_CHANGE,
    },
    // Self-service sign-up is something an operator opts into in production, not a default.
    registrationEnabled: v.REGISTRATION_ENABLED,
    logLevel: v.LOG_LEVEL,
    metricsToken: v.METRICS_TOKEN,
    metricsPublic: v.METRICS_PUBLIC,
    shutdownTimeoutS: v.SHUTDOWN_TIMEOUT_S,
    accessTokenTtlS: v.ACCESS_TOKEN_TTL_S,
    reauthMaxAgeS: v.REAUTH_MAX_AGE_S,
    webhook,
    denylistFailureMode: v.DENYLIST_FAILURE_MODE,
    devIdpPort: v.DEV_IDP_PORT,
    warnings,
  });
}

function withoutEmptyValues(env: Env): Vars {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

function webhookConfig(v: ServiceValues, report: ReadContext['report']): WebhookConfig {
  const config: WebhookConfig = {
    // Both at once is a migration between FusionAuth's key types: a signature verifies by either.
    jwt: v.WEBHOOK_VERIFY.jwt,
    hmac: v.WEBHOOK_VERIFY.hmac,
    basic: v.WEBHOOK_VERIFY.basic,
    basicUser: v.WEBHOOK_BASIC_USER,
    basicPassword: v.WEBHOOK_BASIC_PASSWORD,
    // An event older than its id is remembered could be replayed as new: the bound is in its declaration.
    maxAgeS: v.WEBHOOK_MAX_AGE_S,
  };
  if (config.basic && !config.basicUser) report('WEBHOOK_BASIC_USER', 'must be set when WEBHOOK_VERIFY includes basic');
  if (config.basic && !config.basicPassword) {
    report('WEBHOOK_BASIC_PASSWORD', 'must be set when WEBHOOK_VERIFY includes basic');
  }
  return config;
}

/** The production refusals between variables; each single-variable one is in its declaration. */
function refuseInProduction(v: ServiceValues, bad: Bad, report: ReadContext['report']): void {
  const refuse = (variable: string, reason: string) => report(variable, `${reason} (refused in production)`);
  if (!v.APP_URL.startsWith('https:') && !v.ALLOW_INSECURE_HTTP && !bad.has('APP_URL')) {
    refuse('APP_URL', 'must be an https URL unless ALLOW_INSECURE_HTTP=true');
  }
  if (!v.METRICS_TOKEN && !v.METRICS_PUBLIC && !bad.has('METRICS_TOKEN') && !bad.has('METRICS_PUBLIC')) {
    refuse('METRICS_TOKEN', 'must be set, or METRICS_PUBLIC=true to serve /metrics to anyone on purpose');
  }
}

function warningsOf(v: ServiceValues, bad: Bad, production: boolean): string[] {
  const warnings: string[] = [];
  if (v.SESSION_SECRET === undefined && !production) {
    warnings.push('SESSION_SECRET is not set: generated one for this run, so sessions end when the process restarts');
  }
  if (v.TRUST_PROXY === true && !production) warnings.push(`TRUST_PROXY=true: ${TRUST_ALL_RISK}`);
  if (v.DENYLIST_FAILURE_MODE === 'open') {
    warnings.push('DENYLIST_FAILURE_MODE=open: revoked tokens are accepted while the revocation state cannot be read');
  }
  if (v.APP_URL.startsWith('https:') && v.TRUST_PROXY === false && !bad.has('TRUST_PROXY')) {
    warnings.push(
      'APP_URL is https but TRUST_PROXY is false: behind a TLS proxy the Secure session cookie is never set ' +
        '(TRUST_PROXY=1 behind one load balancer)',
    );
  }
  return warnings;
}
