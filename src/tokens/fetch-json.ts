const MAX_BYTES = 512 * 1024;

/**
 * GET a JSON document from a provider, bounded in time and size. Redirects are not followed: a
 * discovery document or key set must be served where it was configured.
 */
export async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, {
    headers: { accept: 'application/json' },
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_BYTES) throw new Error(`GET ${url} is larger than ${MAX_BYTES} bytes`);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error(`GET ${url} is larger than ${MAX_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`GET ${url} did not return JSON`);
  }
}
