import FusionAuthClient from '@fusionauth/typescript-client';
import { Clock } from '../../src/common/clock';
import { Env } from '../../src/config/load-config';
import { DevIdp, DevIdpOptions } from '../../src/dev-idp/dev-idp';
import { KICKSTART_DEFAULTS as K, startDevIdp } from './dev-idp';
import { freePort } from './redis-server';
import { startTestApp, StartOptions, TestApp } from './test-app';

export interface Stack {
  readonly idp: DevIdp;
  readonly app: TestApp;
  /** FusionAuth's own client, pointed at the dev IdP and naming the kickstart's tenant (it has two). */
  readonly fusionAuth: FusionAuthClient;
  close(): Promise<void>;
}

/**
 * The dev IdP and the service, wired as an operator would: the service trusts the dev IdP as its
 * issuer, the application allows the service's callback, and webhooks go to the service.
 */
export async function startStack(
  options: { env?: Env; clock?: Clock; devIdp?: Partial<DevIdpOptions> } & Omit<
    StartOptions,
    'env' | 'clock' | 'port'
  > = {},
): Promise<Stack> {
  // The IdP listens before the service's port is picked: a port picked and released first could come
  // back as the IdP's (or be the one a test picked for it), and the service would not start.
  const idp = await startDevIdp(options.devIdp);
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  idp.setWebhookUrl(`${appUrl}/webhooks/fusionauth`);
  const fusionAuth = new FusionAuthClient(K.apiKey, idp.url, K.tenantId);
  await fusionAuth.patchApplication(K.applicationId, {
    application: {
      oauthConfiguration: {
        authorizedRedirectURLs: [`${appUrl}/auth/callback`, `${appUrl}/`],
        logoutURL: `${appUrl}/auth/frontchannel-logout`,
      },
    },
  });
  const { env, clock, devIdp: _devIdp, ...rest } = options;
  let app: TestApp;
  try {
    app = await startTestApp({
      ...rest,
      port,
      clock,
      env: { APP_URL: appUrl, OIDC_ISSUER: idp.issuer, FUSIONAUTH_URL: idp.url, ...env },
    });
  } catch (error) {
    await idp.close();
    throw error;
  }
  return {
    idp,
    app,
    fusionAuth,
    close: async () => {
      await app.close();
      await idp.close();
    },
  };
}
