import { join } from 'node:path';
import { DevIdp, DevIdpOptions } from '../../src/dev-idp/dev-idp';

export const KICKSTART = join(__dirname, '..', '..', 'kickstart', 'kickstart.json');
export const KICKSTART_DEFAULTS = {
  applicationId: 'e9fdb985-9173-4e01-9d73-ac2d60d1dc8e',
  clientSecret: 'super-secret-secret-that-should-be-regenerated-for-production',
  apiKey: '33052c8a-c283-4e96-9d2a-eb1215c69f8f-not-for-prod',
  tenantId: 'd7d09513-a3f5-401c-9685-34ab6c552453',
  richard: { id: '00000000-0000-0000-0000-111111111111', email: 'richard@example.com', password: 'password' },
  admin: { id: '00000000-0000-0000-0000-000000000001', email: 'admin@example.com', password: 'password' },
} as const;

/**
 * The dev IdP in process on 127.0.0.1:<free port>, configured by the real kickstart file; its issuer
 * is the URL it listens on. Webhooks go to `webhookUrl` (change later with setWebhookUrl).
 */
export function startDevIdp(options: Partial<DevIdpOptions> & { webhookUrl?: string } = {}): Promise<DevIdp> {
  return DevIdp.start({
    port: 0,
    host: '127.0.0.1',
    kickstartPath: KICKSTART,
    env: { SERVICE_WEBHOOK_URL: options.webhookUrl ?? 'http://127.0.0.1:9/webhooks/fusionauth' },
    ...options,
  }).then(async (idp) => {
    // The issuer is the address tests reach it at, unless a test chose one.
    if (!options.issuer) await idp.useIssuer(idp.url);
    return idp;
  });
}
