import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FUSIONAUTH_APPLICATION_ID } from './state/dev-idp-state';

export interface KickstartRequest {
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly tenantId?: string;
  readonly contentType?: string;
  readonly body?: unknown;
}

export interface Kickstart {
  readonly variables: Readonly<Record<string, string>>;
  readonly apiKeys: readonly { key: string; description?: string }[];
  readonly requests: readonly KickstartRequest[];
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads a kickstart file as FusionAuth does: `#{UUID()}` and `#{ENV.NAME}` in variables (each
 * evaluated once), `#{name}` everywhere else, `@{file}` (text) and `&{file.json}` (JSON) includes.
 */
export function loadKickstart(path: string, env: Env, builtIns: Record<string, string> = {}): Kickstart {
  const dir = dirname(path);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    variables?: Record<string, string>;
    apiKeys?: unknown;
    requests?: unknown;
  };
  const variables: Record<string, string> = { FUSIONAUTH_APPLICATION_ID, ...builtIns };
  for (const [name, value] of Object.entries(raw.variables ?? {})) {
    variables[name] = substitute(String(value), {}, env, dir, name);
  }
  const apiKeys = resolveIncludes(raw.apiKeys ?? [], dir) as Kickstart['apiKeys'];
  const requests = resolveIncludes(raw.requests ?? [], dir) as KickstartRequest[];
  const expand = <T>(value: T): T => deepMap(value, (s) => substitute(s, variables, env, dir));
  if (!Array.isArray(apiKeys) || apiKeys.length === 0) throw new Error(`${path}: kickstart needs at least one API key`);
  return { variables, apiKeys: expand(apiKeys), requests: expand(requests) };
}

function substitute(text: string, variables: Record<string, string>, env: Env, dir: string, where = 'request'): string {
  return text.replace(
    /(\\\\)?([#@])\{([^}]+)\}/g,
    (match, escaped: string | undefined, sigil: string, name: string) => {
      if (escaped) return match.slice(2);
      if (sigil === '@') return readFileSync(resolve(dir, name), 'utf8');
      if (name === 'UUID()') return randomUUID();
      if (name.startsWith('ENV.')) {
        const value = env[name.slice(4)];
        if (value === undefined)
          throw new Error(`kickstart ${where}: environment variable ${name.slice(4)} is not set`);
        return value;
      }
      const value = variables[name];
      if (value === undefined) throw new Error(`kickstart ${where}: unknown variable #{${name}}`);
      return value;
    },
  );
}

function resolveIncludes(value: unknown, dir: string): unknown {
  if (typeof value === 'string') {
    const include = /^&\{(.+)\}$/.exec(value);
    return include ? JSON.parse(readFileSync(resolve(dir, include[1]!), 'utf8')) : value;
  }
  if (Array.isArray(value)) return value.map((v) => resolveIncludes(v, dir));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIncludes(v, dir)]));
  }
  return value;
}

function deepMap<T>(value: T, map: (s: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => deepMap(v, map)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepMap(v, map)])) as T;
  }
  return value;
}

/** Replays the requests against a FusionAuth API (ours, over HTTP), in order, with the first API key. */
export async function replayKickstart(kickstart: Kickstart, baseUrl: string): Promise<void> {
  const apiKey = kickstart.apiKeys[0]!.key;
  for (const request of kickstart.requests) {
    const path = request.url.startsWith('/') ? request.url : `/${request.url}`;
    const res = await fetch(`${baseUrl}${path}`, {
      method: request.method,
      headers: {
        authorization: apiKey,
        'content-type': request.contentType ?? 'application/json',
        ...(request.tenantId ? { 'x-fusionauth-tenantid': request.tenantId } : {}),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`kickstart: ${request.method} ${path} answered ${res.status} ${text}`);
  }
}
