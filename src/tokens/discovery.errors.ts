import { AppError } from '../common/app.errors';

/** The provider's discovery document could not be fetched or is not acceptable. */
export class DiscoveryError extends AppError {
  constructor(
    readonly provider: string,
    detail: string,
  ) {
    super('PROVIDER_UNAVAILABLE', `provider ${provider}: ${detail}`);
    this.name = 'DiscoveryError';
  }
}
