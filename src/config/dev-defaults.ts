/**
 * The development defaults: the values `kickstart/kickstart.json` gives the dev IdP and a local
 * FusionAuth. They are public, so production refuses every one of them.
 */
export const DEV_DEFAULTS = {
  appUrl: 'http://localhost:3000',
  issuer: 'http://localhost:9011',
  clientId: 'e9fdb985-9173-4e01-9d73-ac2d60d1dc8e',
  clientSecret: 'super-secret-secret-that-should-be-regenerated-for-production',
  fusionAuthApiKey: '33052c8a-c283-4e96-9d2a-eb1215c69f8f-not-for-prod',
  /** The `kid` of the webhook signing key the kickstart imports (its private key is in the repository). */
  webhookSigningKeyId: 'fusionauth-guard-webhook-dev-not-for-prod',
  /** The kickstart's default tenant (`defaultTenantId`). */
  fusionAuthTenantId: 'd7d09513-a3f5-401c-9685-34ab6c552453',
  scopes: 'openid profile email offline_access',
  redisUrl: 'redis://127.0.0.1:6379',
  redisKeyPrefix: 'fag:',
} as const;

export const DEV_CREDENTIALS: ReadonlySet<string> = new Set([
  DEV_DEFAULTS.clientSecret,
  DEV_DEFAULTS.fusionAuthApiKey,
  DEV_DEFAULTS.webhookSigningKeyId,
]);
