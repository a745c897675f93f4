import type { Request } from 'express';

const MACHINE_ROUTES = /^\/(api|webhooks|health|metrics)(\/|$)/;

/**
 * Machines get JSON, browsers get pages; decided by the route family, never by Accept. The original
 * URL is used: inside mounted middleware `req.path` is relative to the mount point.
 */
export function wantsJson(req: Pick<Request, 'path'> & Partial<Pick<Request, 'originalUrl'>>): boolean {
  return MACHINE_ROUTES.test(req.originalUrl ? req.originalUrl.split('?')[0]! : req.path);
}

/** Only a same-origin absolute path may be a post-login destination; anything else is dropped. */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  // `//evil` and `/\evil` are protocol-relative to browsers; control characters can smuggle either.
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  return value;
}
