import { isIP } from 'node:net';

/**
 * Express's `trust proxy`: `false` (the socket's address is the client), a number of hops, or the
 * addresses of the proxies (`loopback`, `linklocal`, `uniquelocal`, IPs, CIDRs). `true` trusts
 * every hop, so the left-most `X-Forwarded-For` entry, which the client writes, becomes its address.
 */
export type TrustProxy = boolean | number | readonly string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const HOPS = /^[0-9]{1,3}$/;

const EXPECTED =
  'must be false, a number of proxies (1 behind one load balancer), or a comma-separated list of ' +
  'loopback, linklocal, uniquelocal, IP addresses and CIDR ranges';

/** TRUST_PROXY's value as Express takes it, or why it is not one. */
export function parseTrustProxy(value: string): { value: TrustProxy } | { error: string } {
  if (value === 'false') return { value: false };
  if (value === 'true') return { value: true };
  if (HOPS.test(value)) return { value: Number(value) === 0 ? false : Number(value) };
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !NAMED_RANGES.has(entry) && !isAddressOrRange(entry));
  if (bad.length > 0) return { error: `${EXPECTED}; not understood: ${bad.map((b) => `"${b}"`).join(', ')}` };
  return { value: entries };
}

function isAddressOrRange(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
