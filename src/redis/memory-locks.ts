import { randomBytes } from 'node:crypto';
import { Locks } from './locks';

/** In-process locks for development without Redis. */
export class MemoryLocks extends Locks {
  private readonly held = new Map<string, { token: string; expiresAt: number }>();

  acquire(name: string, ttlMs: number): Promise<string | undefined> {
    const current = this.held.get(name);
    if (current && current.expiresAt > Date.now()) return Promise.resolve(undefined);
    const token = randomBytes(16).toString('base64url');
    this.held.set(name, { token, expiresAt: Date.now() + ttlMs });
    return Promise.resolve(token);
  }

  release(name: string, token: string): Promise<void> {
    if (this.held.get(name)?.token === token) this.held.delete(name);
    return Promise.resolve();
  }

  isHeld(name: string): Promise<boolean> {
    const current = this.held.get(name);
    return Promise.resolve(current !== undefined && current.expiresAt > Date.now());
  }
}
