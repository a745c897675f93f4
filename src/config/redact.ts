/** Masks the credentials of a URL (`redis://user:pass@host` → `redis://***@host`) for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
