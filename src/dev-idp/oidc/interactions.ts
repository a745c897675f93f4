import type { Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { Application } from '@fusionauth/typescript-client';
import { acceptsCode, afterSecondFactor, authenticate, Decision } from '../state/authentication';
import { DevIdpState } from '../state/dev-idp-state';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export interface InteractionDeps {
  readonly state: DevIdpState;
  readonly provider: () => Provider;
  readonly onLogin: (userId: string, applicationId: string) => void;
}

/**
 * The hosted login page (`loginId`, `password`, then a two-factor code when the user has an
 * authenticator), FusionAuth-style: a generic message for a wrong email or password, FusionAuth's
 * own message for a locked, expired or action-blocked account, and a refusal for a user not
 * registered when the application requires registration. Consent is implied.
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

    const body = req.body as { loginId?: unknown; password?: unknown; twoFactorId?: unknown; code?: unknown };
    const application = deps.state.applications.get(clientId);
    if (!application) return page(res, 400, '<h1>Unknown application</h1>');
    const loginId = typeof body.loginId === 'string' ? body.loginId : '';
    let decision: Decision;
    if (body.twoFactorId !== undefined) {
      const outcome = secondFactor(deps.state, application, body.twoFactorId, body.code);
      if (outcome === 'wrong-code')
        return page(
          res,
          200,
          codeForm(interaction.uid, typeof body.twoFactorId === 'string' ? body.twoFactorId : '', 'Invalid code.'),
        );
      if (outcome === 'expired')
        return page(res, 200, loginForm(interaction.uid, '', 'Your login has expired. Log in again.'));
      decision = outcome;
    } else {
      const stored = deps.state.userByLoginId(loginId, application.tenantId ?? deps.state.defaultTenantId);
      const password = typeof body.password === 'string' ? body.password : '';
      decision = await authenticate(deps.state, stored, password, application);
    }
    if (decision.status === 242) return page(res, 200, codeForm(interaction.uid, decision.twoFactorId));
    if (decision.status !== 200 && decision.status !== 202) {
      return page(res, 200, loginForm(interaction.uid, loginId, refusal(decision)));
    }
    if (decision.status === 202 && application.oauthConfiguration?.requireRegistration) {
      return page(res, 200, loginForm(interaction.uid, loginId, 'You are not registered for this application.'));
    }
    const user = decision.stored.user;
    deps.onLogin(user.id!, clientId);
    const amr = body.twoFactorId !== undefined ? ['pwd', 'otp'] : ['pwd'];
    await finish(provider, req, res, { login: { accountId: user.id!, amr, remember: true } }, false);
  };
}

/** The code for a 242 on the hosted page: the pending two-factor login must be for this application. */
function secondFactor(
  state: DevIdpState,
  application: Application,
  twoFactorId: unknown,
  code: unknown,
): Decision | 'wrong-code' | 'expired' {
  const pending = state.flows.peek(state.flows.twoFactor, twoFactorId);
  const stored = pending ? state.users.get(pending.userId) : undefined;
  if (!pending || !stored || pending.kind !== 'login' || pending.applicationId !== application.id) return 'expired';
  if (typeof code !== 'string' || !acceptsCode(state, stored, code.trim())) return 'wrong-code';
  state.flows.take(state.flows.twoFactor, twoFactorId);
  return afterSecondFactor(state, stored, application, { secondFactor: true });
}

/** FusionAuth's hosted login page messages for the statuses it does not continue past. */
function refusal(decision: Decision): string {
  switch (decision.status) {
    case 423:
      return 'Your account has been locked.';
    case 409:
      return ['Your account has been locked.', ...decision.actions.map((a) => a.localizedReason ?? '')]
        .join(' ')
        .trim();
    case 410:
      return 'Your account has expired.';
    case 203:
      return "You must change your password before you can log in. Use the application's own login form.";
    case 212:
      return 'Your email address has not been verified.';
    case 213:
      return 'Your registration has not been verified.';
    case 200:
    case 202:
    case 242:
    case 404:
      return 'Invalid login credentials.';
  }
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

function codeForm(uid: string, twoFactorId: string, error = ''): string {
  return `<h1>Two-factor authentication</h1>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/oauth2/interaction/${escape(uid)}">
  <input type="hidden" name="twoFactorId" value="${escape(twoFactorId)}">
  <label for="code">Code</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus>
  <button type="submit">Verify</button>
</form>`;
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
