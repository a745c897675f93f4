/** Only a same-origin absolute path may be a post-login destination; anything else is dropped. */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  // `//evil` and `/\evil` are protocol-relative to browsers; control characters can smuggle either.
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  return value;
}
