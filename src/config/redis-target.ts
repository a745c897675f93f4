export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** Where Redis is, parsed from REDIS_URL. */
export interface RedisTarget {
  readonly mode: RedisMode;
  /** The URL as given (standalone: handed to node-redis as it is). */
  readonly url: string;
  /** Sentinel: the sentinels; cluster: the seed nodes; standalone: the one server. */
  readonly nodes: readonly RedisNodeAddress[];
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** Sentinel only: the name the sentinels monitor. */
  readonly masterName?: string;
  /** Standalone and sentinel only (a cluster has database 0 alone). */
  readonly database: number;
}

const STANDALONE = /^rediss?:$/;
const SENTINEL = /^rediss?-sentinel:$/;
const CLUSTER = /^rediss?-cluster:$/;

/**
 * REDIS_URL in one of three forms:
 * - `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS): one server;
 * - `redis-sentinel://[user:password@]host:port,host:port/<master name>[/db]`: ask the sentinels which
 *   server is the master (the credentials are used for the sentinels and the servers alike);
 * - `redis-cluster://[user:password@]host:port,host:port`: a Redis Cluster, from any seed nodes.
 * Returns a reason when the URL is none of them.
 */
export function parseRedisTarget(url: string): RedisTarget | { error: string } {
  const scheme = /^([a-z-]+:)\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return { error: 'must be a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL' };
  const tls = scheme.startsWith('rediss');
  const rest = url.slice(scheme.length + 2);
  const at = rest.lastIndexOf('@', rest.indexOf('/') === -1 ? rest.length : rest.indexOf('/'));
  const credentials = at === -1 ? '' : rest.slice(0, at);
  const afterCredentials = at === -1 ? rest : rest.slice(at + 1);
  const slash = afterCredentials.indexOf('/');
  const hostList = slash === -1 ? afterCredentials : afterCredentials.slice(0, slash);
  const path = slash === -1 ? '' : afterCredentials.slice(slash + 1);
  const [rawUser, rawPassword] = credentials === '' ? [] : splitOnce(credentials, ':');
  const username = rawUser ? decodeURIComponent(rawUser) : undefined;
  const password = rawPassword ? decodeURIComponent(rawPassword) : undefined;

  const nodes: RedisNodeAddress[] = [];
  for (const part of hostList.split(',')) {
    const node = parseHostPort(part, STANDALONE.test(scheme) ? 6379 : SENTINEL.test(scheme) ? 26379 : 6379);
    if (!node) return { error: `"${part}" is not a host:port` };
    nodes.push(node);
  }
  const segments = path === '' ? [] : path.split('/');
  if (STANDALONE.test(scheme)) {
    if (nodes.length !== 1)
      return { error: 'a redis:// URL names one server (use redis-cluster:// or redis-sentinel://)' };
    const database = parseDatabase(segments[0]);
    if (database === undefined || segments.length > 1) return { error: 'the path must be a database number' };
    return { mode: 'standalone', url, nodes, username, password, tls, database };
  }
  if (SENTINEL.test(scheme)) {
    const masterName = segments[0] ? decodeURIComponent(segments[0]) : undefined;
    if (!masterName) return { error: 'a redis-sentinel:// URL ends with the master name: …/mymaster' };
    const database = parseDatabase(segments[1]);
    if (database === undefined || segments.length > 2)
      return { error: 'after the master name, only a database number' };
    return { mode: 'sentinel', url, nodes, username, password, tls, masterName, database };
  }
  if (CLUSTER.test(scheme)) {
    if (segments.length > 0) return { error: 'a redis-cluster:// URL has no path (a cluster has database 0 only)' };
    return { mode: 'cluster', url, nodes, username, password, tls, database: 0 };
  }
  return { error: 'must be a redis://, rediss://, redis-sentinel:// or redis-cluster:// URL' };
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const i = value.indexOf(separator);
  return i === -1 ? [value, undefined] : [value.slice(0, i), value.slice(i + 1)];
}

function parseHostPort(value: string, defaultPort: number): RedisNodeAddress | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(value);
  if (!match) return undefined;
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function parseDatabase(segment: string | undefined): number | undefined {
  if (segment === undefined || segment === '') return 0;
  return /^\d{1,2}$/.test(segment) ? Number(segment) : undefined;
}
