import { ProviderConfig } from '../config/app-config';
import { DEACTIVATED_ROLE } from './deactivated-role';

/**
 * The roles a provider's token or login may grant here. FusionAuth's roles are this application's
 * own; a generic provider's `roles` claim is whatever that provider chose to send, so it grants
 * nothing unless the operator says so (`OIDC_<NAME>_TRUST_ROLES=true`). `deactivated` only ever
 * takes away, so it is honoured from any provider.
 */
export function grantedRoles(provider: ProviderConfig, roles: readonly string[]): readonly string[] {
  return provider.trustRoles ? roles : roles.filter((role) => role === DEACTIVATED_ROLE);
}
