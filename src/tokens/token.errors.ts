import { AppError } from '../common/app.errors';

/** Why a token was refused; each is a metric label and a log reason, never shown to the client. */
export type TokenRejection =
  | 'too_large'
  | 'malformed'
  | 'alg_not_allowed'
  | 'header_key_not_allowed'
  | 'crit_not_understood'
  | 'unknown_kid'
  | 'ambiguous_key'
  | 'bad_signature'
  | 'keys_unavailable'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_azp'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'missing_claim'
  | 'unknown_issuer'
  | 'nonce_mismatch'
  /** A webhook signature from a key other than the pinned webhook key. */
  | 'wrong_key'
  /** A webhook signature JWT with claims FusionAuth never puts there. */
  | 'unexpected_claim';

/** A token that failed verification: 401 `invalid_token`, with the reason for logs and metrics. */
export class TokenRejectedError extends AppError {
  constructor(
    readonly reason: TokenRejection,
    detail?: string,
  ) {
    super('TOKEN_INVALID', detail ? `${reason}: ${detail}` : reason);
    this.name = 'TokenRejectedError';
  }
}
