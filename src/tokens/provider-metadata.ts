/** The parts of an OpenID Provider's discovery document the service uses (OpenID Connect Discovery 1.0). */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly userinfo_endpoint?: string;
  readonly end_session_endpoint?: string;
  readonly introspection_endpoint?: string;
  readonly code_challenge_methods_supported?: readonly string[];
  readonly id_token_signing_alg_values_supported?: readonly string[];
  readonly frontchannel_logout_supported?: boolean;
  readonly frontchannel_logout_session_supported?: boolean;
}
