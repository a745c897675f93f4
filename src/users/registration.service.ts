import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { FusionAuthService } from '../fusionauth/fusionauth.service';
import { RegisterForm } from './account-forms.dto';
import { FieldErrors, fusionAuthErrors } from './forms';

export type RegistrationResult =
  { readonly kind: 'refused'; readonly errors: FieldErrors } | { readonly kind: 'created' };

/** Self-service registration through FusionAuth's API. */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger('Registration');
  private readonly provider?: ProviderConfig;

  constructor(
    config: AppConfig,
    private readonly fusionAuth: FusionAuthService,
  ) {
    // REGISTRATION_ENABLED (off by default in production): sign-up is opened on purpose.
    this.provider =
      config.registrationEnabled && config.defaultProvider.fusionAuth ? config.defaultProvider : undefined;
  }

  /** Whether the form is offered: REGISTRATION_ENABLED and a FusionAuth default provider. */
  get available(): boolean {
    return this.provider !== undefined;
  }

  /** Creates and registers the user at FusionAuth; the caller then signs the browser in. */
  async register(form: RegisterForm): Promise<RegistrationResult> {
    const provider = this.provider;
    if (!provider) throw new AppError('NOT_FOUND', 'registration is off, or needs a FusionAuth provider');
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
      return { kind: 'refused', errors: fusionAuthErrors(created.errors, fields) };
    }
    this.logger.log(`user ${created.userId} registered`);
    return { kind: 'created' };
  }
}
