/** Claims of a verified access token, as FusionAuth issues them (other providers: what they send). */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly jti?: string;
  /** FusionAuth: the id of the refresh token (session) this access token came from. */
  readonly sid?: string;
  readonly applicationId?: string;
  readonly roles: readonly string[];
  readonly email?: string;
  readonly scope?: string;
  readonly auth_time?: number;
  readonly tid?: string;
  /** The ID token's `nonce` also lives here for ID tokens; unused for access tokens. */
  readonly [claim: string]: unknown;
}

export interface IdTokenClaims extends AccessTokenClaims {
  readonly nonce?: string;
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly preferred_username?: string;
  readonly email_verified?: boolean;
}
