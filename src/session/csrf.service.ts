import { Injectable } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

/**
 * Synchronizer tokens bound to the session (csrf-sync): every form carries `_csrf`, and a state-changing
 * browser request without the session's token is refused before any handler runs.
 */
@Injectable()
export class CsrfService {
  private readonly csrf = csrfSync({
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      const fromHeader = req.headers['x-csrf-token'];
      return typeof fromBody === 'string' ? fromBody : typeof fromHeader === 'string' ? fromHeader : undefined;
    },
  });

  /** The token to put in a form (created in the session on first use). */
  tokenFor(req: Request): string {
    return this.csrf.generateToken(req);
  }

  isValid(req: Request): boolean {
    return req.session !== undefined && this.csrf.isRequestValid(req);
  }
}
