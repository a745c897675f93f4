import { join } from 'node:path';
import { DevIdp } from './dev-idp';

/**
 * `npm run dev:idp`: the development identity provider on DEV_IDP_PORT (default 9011), configured
 * by kickstart/kickstart.json. The dev IdP is its own program, so it reads its own environment.
 */
async function main(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties -- the dev IdP's entry point, not part of the service
  const env = process.env;
  const port = Number(env.DEV_IDP_PORT ?? 9011);
  const appUrl = (env.APP_URL ?? 'http://localhost:3000').replace(/\/$/, '');
  const idp = await DevIdp.start({
    port,
    host: '127.0.0.1',
    issuer: env.DEV_IDP_ISSUER ?? `http://localhost:${port}`,
    kickstartPath: env.KICKSTART_FILE ?? join(__dirname, '..', '..', 'kickstart', 'kickstart.json'),
    env: { SERVICE_WEBHOOK_URL: `${appUrl}/webhooks/fusionauth`, ...env },
  });
  // The dev IdP sends no email: each one is printed here, so its link can be followed by hand.
  idp.state.outbox.onSend = (mail) =>
    // eslint-disable-next-line no-console -- the dev IdP's "mail server"
    console.log(`Dev IdP email to ${mail.to}: ${mail.subject}\n${mail.text.replace(/^/gm, '  | ')}`);
  const users = idp.kickstart ? ' · log in as richard@example.com / password (or admin@example.com / password)' : '';
  // eslint-disable-next-line no-console -- the one line a developer needs
  console.log(`Dev IdP (FusionAuth stand-in) at ${idp.issuer}${users}`);
  const stop = () => void idp.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // eslint-disable-next-line no-console -- startup failure of a development tool
  console.error(`dev IdP could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
