/** Which sessions a user has, so all of them can be ended at once (deactivation, password change). */
export abstract class SessionIndex {
  abstract add(userId: string, sessionId: string, ttlS: number): Promise<void>;
  abstract remove(userId: string, ...sessionIds: string[]): Promise<void>;
  abstract members(userId: string): Promise<string[]>;
}

/**
 * A second index of the same kind, keyed by the provider's SSO session (issuer key and the ID
 * token's `sid`), so a front-channel logout finds exactly the sessions that SSO session started.
 */
export const IDP_SESSION_INDEX = Symbol('IDP_SESSION_INDEX');
