// The package's one public entry (and the one barrel in src/): what an app of its own may import.
// Everything else under dist/ is internal and may change; package.json's `exports` keeps it out of reach.

export { FusionAuthGuardModule } from './fusionauth-guard.module';
export type {
  FusionAuthGuardAsyncOptions,
  FusionAuthGuardFeatures,
  FusionAuthGuardOptions,
} from './fusionauth-guard.module';
export type { ConfigOptions, ConfigSource, OptionValue, ProviderOptions } from './config/config-options';
export { ConfigError } from './config/config.errors';
export type { ConfigProblem } from './config/config.errors';
export { AppConfig } from './config/app-config';
export { configureFusionAuthGuard } from './configure-app';
export type { ConfigureOptions } from './configure-app';

export { Public } from './common/public.decorator';
export { Authenticated } from './common/authenticated.decorator';
export { Roles } from './common/roles.decorator';
export { RecentLogin } from './common/recent-login.decorator';
export { CurrentUser } from './common/current-user.decorator';
export { BrowserRoute, MachineRoute } from './common/http/route-kind.decorator';
export type { RouteKind } from './common/http/route-kind.decorator';
export type { AuthenticatedUser } from './common/authenticated-user';
export { FormPage } from './common/http/form-page.decorator';
export type { FormPageSpec } from './common/http/form-page.decorator';

export { RevocationCheck } from './auth/revocation-check.service';
export type { RevocationFacts } from './auth/revocation-check.service';
export { AppError } from './common/app.errors';
export type { ErrorCode } from './common/error-codes';
