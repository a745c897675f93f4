import type { Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { DevIdpState } from '../state/dev-idp-state';
import { verifyPassword } from '../state/passwords';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export interface InteractionDeps {
  readonly state: DevIdpState;
  readonly provider: () => Provider;
  readonly onLogin: (userId: string, applicationId: string) => void;
}

/**
 * The hosted login page (`loginId`, `password`), FusionAuth-style: a generic message on failure,
 * refused for a user not registered when the application requires registration. Consent is implied.
 */
export function interactionHandler(deps: InteractionDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const provider = deps.provider();
    let interaction: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch {
      page(res, 400, '<h1>This login has expired</h1><p>Go back to the application and start again.</p>');
      return;
    }
    if (interaction.uid !== req.params.uid) return page(res, 400, '<h1>Login mismatch</h1>');
    const clientId = String(interaction.params.client_id);
    if (interaction.prompt.name === 'consent') {
      await finish(provider, req, res, { consent: { grantId: await autoGrant(provider, interaction) } }, true);
      return;
    }
    if (interaction.prompt.name !== 'login') return page(res, 400, '<h1>Unsupported request</h1>');
    if (req.method === 'GET')
      return page(
        res,
        200,
        loginForm(
          interaction.uid,
          typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : '',
        ),
      );

    const body = req.body as { loginId?: unknown; password?: unknown };
    const loginId = typeof body.loginId === 'string' ? body.loginId : '';
    const stored = deps.state.userByLoginId(loginId);
    const ok =
      stored?.user.active !== false &&
      (await verifyPassword(typeof body.password === 'string' ? body.password : '', stored?.passwordHash));
    if (!stored || !ok) return page(res, 200, loginForm(interaction.uid, loginId, 'Invalid login credentials.'));
    const application = deps.state.applications.get(clientId);
    if (application?.oauthConfiguration?.requireRegistration && !deps.state.registration(stored.user, clientId)) {
      return page(res, 200, loginForm(interaction.uid, loginId, 'You are not registered for this application.'));
    }
    deps.onLogin(stored.user.id!, clientId);
    await finish(provider, req, res, { login: { accountId: stored.user.id!, amr: ['pwd'], remember: true } }, false);
  };
}

async function finish(provider: Provider, req: Request, res: Response, result: InteractionResults, merge: boolean) {
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
}

async function autoGrant(provider: Provider, interaction: Awaited<ReturnType<Provider['interactionDetails']>>) {
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant = interaction.grantId
    ? (await provider.Grant.find(interaction.grantId))!
    : new provider.Grant({ accountId: interaction.session!.accountId, clientId: String(interaction.params.client_id) });
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

function loginForm(uid: string, loginId: string, error = ''): string {
  return `<h1>Log in</h1>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/oauth2/interaction/${escape(uid)}">
  <label for="loginId">Email</label>
  <input id="loginId" name="loginId" type="email" autocomplete="username" value="${escape(loginId)}" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
</form>
<p class="note">Development identity provider: a stand-in for FusionAuth's hosted login page.</p>`;
}

function page(res: Response, status: number, content: string): void {
  res
    .status(status)
    .set({
      'cache-control': 'no-store',
      // No form-action: the login form's redirects end at the client's callback, another origin.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    })
    .type('html')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · Dev IdP</title><style>body{font:16px system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.4rem 0}input{padding:.5rem}button{padding:.6rem}.error{color:#b42318}.note{color:#666;font-size:.85rem}</style>
</head><body>${content}</body></html>`);
}
