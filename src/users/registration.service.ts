import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import type { Request } from 'express';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { PasswordSignIn } from '../common/password-sign-in';
import { FusionAuthService } from '../fusionauth/fusionauth.service';
import { RegisterForm } from './account-forms.dto';
import { FieldErrors, fusionAuthErrors, secret, text, validationErrors } from './forms';

export type RegistrationResult =
  | { readonly kind: 'invalid'; readonly errors: FieldErrors; readonly form: Partial<RegisterForm> }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'created' };

/** Self-service registration through FusionAuth's API, signed in afterwards. */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger('Registration');
  private readonly provider?: ProviderConfig;

  constructor(
    config: AppConfig,
    private readonly fusionAuth: FusionAuthService,
    private readonly signIn: PasswordSignIn,
  ) {
    // REGISTRATION_ENABLED (off by default in production): sign-up is opened on purpose.
    this.provider =
      config.registrationEnabled && config.defaultProvider.fusionAuth ? config.defaultProvider : undefined;
  }

  /** Whether the form is offered: REGISTRATION_ENABLED and a FusionAuth default provider. */
  get available(): boolean {
    return this.provider !== undefined;
  }

  async register(req: Request, body: Record<string, unknown>): Promise<RegistrationResult> {
    const provider = this.provider;
    if (!provider) throw new AppError('NOT_FOUND', 'registration is off, or needs a FusionAuth provider');
    const form = plainToInstance(RegisterForm, {
      firstName: text(body.firstName),
      lastName: text(body.lastName),
      email: text(body.email).toLowerCase(),
      password: secret(body.password),
      confirmPassword: secret(body.confirmPassword),
    });
    const echo = { firstName: form.firstName, lastName: form.lastName, email: form.email };
    const errors = validationErrors(form);
    if (!errors.confirmPassword && form.confirmPassword !== form.password)
      errors.confirmPassword = 'The two passwords do not match.';
    if (Object.keys(errors).length > 0) return { kind: 'invalid', errors, form: echo };

    const created = await this.fusionAuth.register(provider, {
      email: form.email,
      password: form.password,
      firstName: form.firstName || undefined,
      lastName: form.lastName || undefined,
    });
    if (!created.ok) {
      const fields = {
        'user.email': 'email',
        'user.password': 'password',
        'user.firstName': 'firstName',
        'user.lastName': 'lastName',
      };
      return { kind: 'invalid', errors: fusionAuthErrors(created.errors, fields), form: echo };
    }
    this.logger.log(`user ${created.userId} registered`);
    return (await this.signIn.signIn(req, form.email, form.password)) === 'ok'
      ? { kind: 'signed-in' }
      : { kind: 'created' };
  }
}
