/** Which sessions a user has, so all of them can be ended at once (deactivation, password change). */
export abstract class SessionIndex {
  abstract add(userId: string, sessionId: string, ttlS: number): Promise<void>;
  abstract remove(userId: string, ...sessionIds: string[]): Promise<void>;
  abstract members(userId: string): Promise<string[]>;
}
