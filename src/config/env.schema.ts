import { IsIn, IsOptional, IsPort, IsUrl, IsUUID, Matches, MinLength, ValidationArguments } from 'class-validator';

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const BOOLEAN = ['true', 'false', '1', '0'];
const POSITIVE_INT = /^[1-9]\d{0,8}$/;
const RATE = /^[1-9]\d{0,8}\/[1-9]\d{0,6}$/;

const reason = (text: string) => ({ message: (args: ValidationArguments) => `${args.property}: ${text}` });

/**
 * The raw environment, as strings, before defaults. Only the shape of each value is checked here;
 * defaults, cross-variable rules and the production refusals are in load-config.ts.
 */
export class EnvSchema {
  @IsOptional()
  @IsIn(['development', 'production', 'test'], reason('must be development, production or test'))
  NODE_ENV?: string;

  @IsOptional()
  @IsPort(reason('must be a port number (0-65535)'))
  PORT?: string;

  @IsOptional()
  @IsUrl(HTTP_URL, reason('must be an absolute http(s) URL'))
  APP_URL?: string;

  /** Its form (false, hops, loopback/CIDR list) is checked by parseTrustProxy in load-config.ts. */
  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  TRUST_PROXY?: string;

  @IsOptional()
  @IsIn(BOOLEAN, reason('must be true or false'))
  ALLOW_INSECURE_HTTP?: string;

  @IsOptional()
  @IsUrl(HTTP_URL, reason('must be an absolute http(s) URL'))
  OIDC_ISSUER?: string;

  @IsOptional()
  @IsUrl(HTTP_URL, reason('must be an absolute http(s) URL'))
  OIDC_DISCOVERY_URL?: string;

  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  OIDC_CLIENT_ID?: string;

  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  OIDC_CLIENT_SECRET?: string;

  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  OIDC_SCOPES?: string;

  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  OIDC_ID_TOKEN_ALGS?: string;

  @IsOptional()
  @IsIn(['fusionauth', 'generic'], reason('must be fusionauth or generic'))
  OIDC_PROVIDER?: string;

  @IsOptional()
  @IsIn(BOOLEAN, reason('must be true or false'))
  OIDC_TRUST_ROLES?: string;

  @IsOptional()
  @Matches(
    /^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*$/i,
    reason('must be a comma-separated list of names (letters, digits, _)'),
  )
  OIDC_PROVIDERS?: string;

  @IsOptional()
  @IsUrl(HTTP_URL, reason('must be an absolute http(s) URL'))
  FUSIONAUTH_URL?: string;

  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  FUSIONAUTH_API_KEY?: string;

  @IsOptional()
  @IsUUID('all', reason('must be a tenant id (a UUID)'))
  FUSIONAUTH_TENANT_ID?: string;

  @IsOptional()
  @Matches(/^(oidc|password)(,(oidc|password))?$/, reason('must be oidc, password or oidc,password'))
  AUTH_MODES?: string;

  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  SESSION_SECRET?: string;

  @IsOptional()
  @IsIn(['redis', 'memory'], reason('must be redis or memory'))
  SESSION_STORE?: string;

  @IsOptional()
  @Matches(POSITIVE_INT, reason('must be a positive whole number of seconds'))
  SESSION_IDLE_TIMEOUT_S?: string;

  @IsOptional()
  @Matches(POSITIVE_INT, reason('must be a positive whole number of seconds'))
  SESSION_ABSOLUTE_TIMEOUT_S?: string;

  /** Its form (standalone, sentinel, cluster) is checked by parseRedisTarget in load-config.ts. */
  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, reason('must be 1-64 characters of letters, digits and :_.-'))
  REDIS_KEY_PREFIX?: string;

  @IsOptional()
  @Matches(POSITIVE_INT, reason('must be a positive whole number of seconds'))
  ACCESS_TOKEN_TTL_S?: string;

  @IsOptional()
  @Matches(
    /^(jwt|hmac|basic)(,(jwt|hmac|basic)){0,2}$/,
    reason('must be jwt, hmac and/or basic (basic with jwt or hmac), comma-separated'),
  )
  WEBHOOK_VERIFY?: string;

  /** One secret or a comma-separated list; checked per provider in load-providers.ts. */
  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  WEBHOOK_HMAC_SECRET?: string;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,256}$/, reason('must be a key id (kid) of 1-256 printable characters'))
  WEBHOOK_SIGNING_KEY_ID?: string;

  @IsOptional()
  @Matches(POSITIVE_INT, reason('must be a positive whole number of seconds'))
  WEBHOOK_MAX_AGE_S?: string;

  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  WEBHOOK_BASIC_USER?: string;

  @IsOptional()
  @MinLength(1, reason('must not be empty'))
  WEBHOOK_BASIC_PASSWORD?: string;

  @IsOptional()
  @IsIn(['closed', 'open'], reason('must be closed or open'))
  DENYLIST_FAILURE_MODE?: string;

  @IsOptional()
  @IsPort(reason('must be a port number (0-65535)'))
  DEV_IDP_PORT?: string;

  @IsOptional()
  @Matches(RATE, reason('must be <requests>/<seconds>, for example 20/60'))
  RATE_LIMIT_LOGIN?: string;

  @IsOptional()
  @Matches(RATE, reason('must be <requests>/<seconds>, for example 3000/10'))
  RATE_LIMIT_WEBHOOK?: string;

  @IsOptional()
  @Matches(RATE, reason('must be <requests>/<seconds>, for example 5/300'))
  RATE_LIMIT_PASSWORD_CHANGE?: string;

  @IsOptional()
  @IsIn(BOOLEAN, reason('must be true or false'))
  REGISTRATION_ENABLED?: string;

  @IsOptional()
  @IsIn(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    reason('must be fatal, error, warn, info, debug, trace or silent'),
  )
  LOG_LEVEL?: string;

  @IsOptional()
  @MinLength(16, reason('must be at least 16 characters'))
  METRICS_TOKEN?: string;

  @IsOptional()
  @IsIn(BOOLEAN, reason('must be true or false'))
  METRICS_PUBLIC?: string;

  @IsOptional()
  @Matches(POSITIVE_INT, reason('must be a positive whole number of seconds'))
  SHUTDOWN_TIMEOUT_S?: string;
}

/** Variables whose values never appear in a message or a log line. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'OIDC_CLIENT_SECRET',
  'FUSIONAUTH_API_KEY',
  'SESSION_SECRET',
  'WEBHOOK_HMAC_SECRET',
  'WEBHOOK_BASIC_PASSWORD',
  'METRICS_TOKEN',
]);

export const isSecretVariable = (name: string): boolean =>
  SECRET_VARIABLES.has(name) || /(SECRET|PASSWORD|API_KEY)$/.test(name);
