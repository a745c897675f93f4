import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { safeReturnTo } from '../common/http/safe-return-to';
import { AuthService } from './auth.service';
import { strategyName } from './hardened-oidc.strategy';
import { OidcLoginService, toLoginError } from './oidc-login.service';
import { authenticate } from './passport-authentication';

/**
 * `/auth/login`: the provider's `oidc:<name>` strategy through @nestjs/passport's AuthGuard, which
 * answers with the redirect to the provider's authorization endpoint (state, nonce, PKCE S256).
 * Without the hosted login (`AUTH_MODES` lacks `oidc`) the route's handler answers instead.
 */
@Injectable()
export class OidcLoginGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly login: OidcLoginService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const provider = this.auth.providerNamed(req.query.provider);
    if (!this.config.hasAuthMode('oidc')) return true;
    const options = await this.login.authorization(provider, {
      returnTo: safeReturnTo(req.query.returnTo),
      reauth: req.query.reauth === '1',
    });
    await authenticate(context, strategyName(provider.name), { ...options }, (error) => {
      throw error
        ? toLoginError(error)
        : new AppError('INTERNAL', 'an authorization request ended without its redirect');
    });
    // Passport has answered (the redirect): false ends Nest's pipeline here, and the exception
    // filter writes nothing to an answered response.
    return false;
  }
}
