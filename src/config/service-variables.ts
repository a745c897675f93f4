import { WEBHOOK_DEDUP_WINDOW_S } from './app-config';
import { DEV_DEFAULTS } from './dev-defaults';
import { boolean, fromResult, httpUrl, matching, oneOf, port, rate, seconds, text, wholeNumber } from './parsers';
import { parseRedisTarget } from './redis-target';
import { appOrigin, authModes, providerNames, webhookWays } from './service-parsers';
import { parseTrustProxy } from './trust-proxy';
import { variable } from './variable';

const MIN_PRODUCTION_SECRET_LENGTH = 32;

/** Why TRUST_PROXY=true is refused in production and warned about elsewhere. */
export const TRUST_ALL_RISK =
  'every X-Forwarded-For entry is believed, and the left-most is written by the client, so any client ' +
  'chooses its own address (rate limits, logs, the address FusionAuth records); give the number of ' +
  'proxies in front instead (TRUST_PROXY=1 behind one load balancer), or their addresses (loopback, CIDRs)';

/**
 * Every variable of the service but the per-provider ones (provider-variables.ts), in the order of
 * the docs. Cross-variable rules are code in load-config.ts; their `production.doc` only documents them.
 */
export const SERVICE_VARIABLES = {
  NODE_ENV: variable(oneOf(['development', 'production', 'test']), {
    group: 'service',
    default: 'development',
    doc: '`development`, `production` or `test`; `production` refuses unsafe configuration',
  }),
  PORT: variable(port, { group: 'service', default: '3000', doc: 'HTTP port of the service' }),
  APP_URL: variable(appOrigin, {
    group: 'service',
    default: DEV_DEFAULTS.appUrl,
    production: { doc: 'https, unless `ALLOW_INSECURE_HTTP=true`' },
    doc: 'public base URL (origin only); the OIDC callback is `APP_URL/auth/callback`',
  }),
  TRUST_PROXY: variable(parseTrustProxy, {
    group: 'service',
    default: 'false',
    production: {
      refuse: (given) => (given === true ? `must not be true: ${TRUST_ALL_RISK}` : undefined),
      doc: 'never `true`',
    },
    doc:
      'proxies whose `X-Forwarded-*` is believed (Express `trust proxy`): `false`, a hop count (`1` behind one ' +
      'load balancer), or `loopback`, `linklocal`, `uniquelocal`, IPs and CIDRs, comma-separated; `true` ' +
      'believes the client too (a warning outside production)',
  }),
  ALLOW_INSECURE_HTTP: variable(boolean, {
    group: 'service',
    default: 'false',
    doc: 'production only: allow an `http` `APP_URL` (a private network)',
  }),
  OIDC_PROVIDERS: variable(providerNames, {
    group: 'provider',
    defaultDoc: 'one provider, `default`, from the single-provider variables',
    example: 'fusionauth,partner',
    doc: 'several providers at once, by name; each reads `OIDC_<NAME>_*`, the first falling back to the single-provider variables',
  }),
  AUTH_MODES: variable(authModes, {
    group: 'provider',
    defaultDoc: '`oidc,password` (`oidc` for a generic provider)',
    example: 'oidc,password',
    doc: "login ways offered: `oidc` (hosted login page) and/or `password` (the service's own form, FusionAuth Login API)",
  }),
  SESSION_SECRET: variable(text(), {
    group: 'session',
    secret: true,
    defaultDoc: 'generated per start, with a warning (sessions end on restart)',
    production: {
      refuse: (given) =>
        (given?.length ?? 0) < MIN_PRODUCTION_SECRET_LENGTH
          ? `must be set to at least ${MIN_PRODUCTION_SECRET_LENGTH} random characters`
          : undefined,
      doc: `required, at least ${MIN_PRODUCTION_SECRET_LENGTH} random characters (\`openssl rand -base64 48\`), the same on every instance`,
    },
    doc: 'signs the session cookie',
  }),
  SESSION_STORE: variable(oneOf(['redis', 'memory']), {
    group: 'session',
    defaultDoc: '`redis` if Redis answers at start, else `memory`',
    production: {
      default: 'redis',
      refuse: (given) => (given === 'memory' ? 'memory keeps sessions in one process only' : undefined),
      doc: '`redis`; `memory` refused',
    },
    doc: '`redis` or `memory` (one process only)',
  }),
  SESSION_IDLE_TIMEOUT_S: variable(seconds(), {
    group: 'session',
    default: '1800',
    doc: 'a session unused this long ends (enforced on the server); at most `SESSION_ABSOLUTE_TIMEOUT_S`',
  }),
  SESSION_ABSOLUTE_TIMEOUT_S: variable(seconds(), {
    group: 'session',
    default: '28800',
    doc: 'a session ends this long after its sign-in, used or not (enforced on the server)',
  }),
  REAUTH_MAX_AGE_S: variable(seconds(), {
    group: 'session',
    default: '600',
    doc: 'changing the password or ending another session needs a sign-in at most this old; older, the user signs in again (`prompt=login`, `max_age`)',
  }),
  REDIS_URL: variable(fromResult(parseRedisTarget), {
    group: 'redis',
    default: DEV_DEFAULTS.redisUrl,
    production: { refuse: (given) => (given === undefined ? 'must be set' : undefined), doc: 'required' },
    doc: 'Redis: `redis://[user:pass@]host:port[/db]` (`rediss://` for TLS), `redis-sentinel://[user:pass@]host:port,host:port/<master>[/db]` or `redis-cluster://[user:pass@]host:port,host:port`',
  }),
  REDIS_KEY_PREFIX: variable(
    matching(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1-64 characters of letters, digits and :_.-'),
    {
      group: 'redis',
      default: DEV_DEFAULTS.redisKeyPrefix,
      doc: 'prefix of every key the service writes; several deployments can share one Redis',
    },
  ),
  REDIS_WAIT_REPLICAS: variable(wholeNumber({ min: 0, max: 16, error: 'must be a whole number of replicas (0-16)' }), {
    group: 'redis',
    default: '0',
    doc: "a revocation (webhook or the service's own) is answered only after this many replicas confirmed the write (`WAIT`); fewer within `REDIS_WAIT_TIMEOUT_MS`: 503, so FusionAuth retries",
  }),
  REDIS_WAIT_TIMEOUT_MS: variable(
    wholeNumber({ min: 1, max: 60_000, error: 'must be a whole number of milliseconds (1-60000)' }),
    {
      group: 'redis',
      default: '500',
      doc: 'how long a revocation waits for `REDIS_WAIT_REPLICAS` replicas to confirm it',
    },
  ),
  ACCESS_TOKEN_TTL_S: variable(seconds(), {
    group: 'revocation',
    default: '3600',
    production: { doc: 'at least the longest access-token lifetime of any application' },
    doc: 'how long a revocation is kept when the event does not say (the longest access-token lifetime)',
  }),
  DENYLIST_FAILURE_MODE: variable(oneOf(['closed', 'open']), {
    group: 'revocation',
    default: 'closed',
    doc: '`closed`: when the revocation state cannot be read, protected requests get 503, never 200; `open` accepts revoked tokens meanwhile (a warning)',
  }),
  WEBHOOK_VERIFY: variable(webhookWays, {
    group: 'webhook',
    default: 'jwt',
    production: {
      refuse: (given) =>
        given && !given.jwt && !given.hmac ? 'must include jwt or hmac: webhooks must be signed' : undefined,
      doc: 'must include `jwt` or `hmac`',
    },
    doc: "`jwt` (`X-FusionAuth-Signature-JWT` against the issuer's JWKS), `hmac` (the same JWT with an HMAC key), both during a migration (either verifies), and/or `basic` (HTTP Basic, with one of them)",
  }),
  WEBHOOK_MAX_AGE_S: variable(seconds({ limit: WEBHOOK_DEDUP_WINDOW_S, why: 'the de-duplication window' }), {
    group: 'webhook',
    default: String(WEBHOOK_DEDUP_WINDOW_S),
    doc: `events older than this are answered \`ignored\` (a replay window, at most ${WEBHOOK_DEDUP_WINDOW_S}: the de-duplication window)`,
  }),
  WEBHOOK_BASIC_USER: variable(text(), { group: 'webhook', doc: 'when `WEBHOOK_VERIFY` has `basic`' }),
  WEBHOOK_BASIC_PASSWORD: variable(text(), {
    group: 'webhook',
    secret: true,
    doc: 'when `WEBHOOK_VERIFY` has `basic`',
  }),
  RATE_LIMIT_LOGIN: variable(rate, {
    group: 'limits',
    default: '20/60',
    doc: 'per client IP, `<requests>/<seconds>` counted in Redis across instances: login, callback, password login, registration, password change; over it 429 with `Retry-After`',
  }),
  RATE_LIMIT_WEBHOOK: variable(rate, {
    group: 'limits',
    default: '3000/10',
    doc: "per client IP, for `POST /webhooks/fusionauth`; keep it above FusionAuth's peak event rate",
  }),
  RATE_LIMIT_PASSWORD_CHANGE: variable(rate, {
    group: 'limits',
    default: '5/300',
    doc: 'per signed-in user, for `POST /account/password` (which also counts per client IP under the login limit)',
  }),
  REGISTRATION_ENABLED: variable(boolean, {
    group: 'limits',
    default: 'true',
    production: { default: 'false', doc: 'default `false`' },
    doc: "the service's own registration form (`/auth/register`); off: 404 and no link",
  }),
  LOG_LEVEL: variable(oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), {
    group: 'operations',
    default: 'info',
    doc: 'JSON log lines on stdout: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  }),
  METRICS_TOKEN: variable(text(16), {
    group: 'operations',
    secret: true,
    production: { doc: 'this, or `METRICS_PUBLIC=true`' },
    doc: 'when set (at least 16 characters), `/metrics` needs `Authorization: Bearer <METRICS_TOKEN>`',
  }),
  METRICS_PUBLIC: variable(boolean, {
    group: 'operations',
    default: 'false',
    doc: '`true`: `/metrics` answers anyone, on purpose (not with `METRICS_TOKEN`)',
  }),
  SHUTDOWN_TIMEOUT_S: variable(seconds(), {
    group: 'operations',
    default: '10',
    doc: 'on SIGTERM, how long requests in flight may take before the process exits anyway',
  }),
  DEV_IDP_PORT: variable(port, {
    group: 'dev IdP',
    default: '9011',
    doc: 'port of the development identity provider under `npm run dev`',
  }),
};

/**
 * Read by the dev IdP's own entry point (src/dev-idp/main.ts) and the kickstart, never by the
 * service: declared for the docs only (the dev IdP imports nothing of the service).
 */
export const DEV_IDP_VARIABLES = {
  DEV_IDP_ISSUER: variable(httpUrl, {
    group: 'dev IdP',
    defaultDoc: '`http://localhost:<DEV_IDP_PORT>`',
    doc: "the dev IdP's issuer (`npm run dev:idp`)",
  }),
  KICKSTART_FILE: variable(text(), {
    group: 'dev IdP',
    defaultDoc: '`kickstart/kickstart.json`',
    doc: 'the kickstart file the dev IdP replays (`npm run dev:idp`)',
  }),
  SERVICE_WEBHOOK_URL: variable(httpUrl, {
    group: 'dev IdP',
    defaultDoc: '`APP_URL/webhooks/fusionauth`',
    doc: "the kickstart's webhook URL (`#{ENV.SERVICE_WEBHOOK_URL}`), for the dev IdP and for FusionAuth under `docker compose`",
  }),
};
