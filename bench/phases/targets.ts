import { BenchStack } from '../stack/bench-stack';
import { PeerName } from '../stack/peers';
import { LoadTarget } from '../support/load';
import { WebhookTarget } from './webhook-events';

/**
 * Every target, in the order of a round (odd rounds run it backwards): the two sides of each ratio
 * stand next to each other, so a stretch when the machine is busier slows both alike.
 */
export const TARGET_NAMES = [
  'nest_hello',
  'unguarded',
  'webhooks',
  'guarded',
  'express_jwt_bearer',
  'guarded_cold',
  'express_jwt_bearer_cold',
  'nest_passport_jwt_cold',
  'session_page',
  'express_openid_connect',
] as const;

export type TargetName = (typeof TARGET_NAMES)[number];

export interface NamedTarget {
  readonly name: TargetName;
  /** For the progress lines. */
  readonly what: string;
  readonly load: LoadTarget;
  /** Warmed up before the rounds (the webhook target is warmed up while its events are sized). */
  readonly warm: boolean;
  /** The process that serves it (service A or the peer), whose CPU time is read around each slice. */
  readonly pid?: number;
}

export interface TargetInputs {
  readonly token: string;
  /** Distinct tokens, one per request, in turn. */
  readonly coldTokens: readonly string[];
  /** The Cookie header of a browser logged in to the service, and to the OpenID Connect peer. */
  readonly serviceCookie: string;
  readonly peerCookie: string;
  /** Undefined when the webhook target is not measured (`--only`). */
  readonly webhooks?: WebhookTarget;
}

/** The peer each peer target measures; every other target is service A. */
const PEER_OF: Partial<Record<TargetName, PeerName>> = {
  nest_hello: 'nest_hello',
  express_jwt_bearer: 'express_jwt_bearer',
  express_jwt_bearer_cold: 'express_jwt_bearer',
  nest_passport_jwt_cold: 'nest_passport_jwt',
  express_openid_connect: 'express_openid_connect',
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Each cold target goes through the pool on its own, one token after the other. */
function distinct(url: string, tokens: readonly string[]): LoadTarget {
  let next = 0;
  return { url, next: () => ({ headers: bearer(tokens[next++ % tokens.length]!) }) };
}

export function buildTargets(stack: BenchStack, inputs: TargetInputs): NamedTarget[] {
  const { a, peers } = stack;
  const all: Record<TargetName, Omit<NamedTarget, 'name' | 'warm' | 'pid'>> = {
    nest_hello: { what: 'bare Nest GET /health/live', load: { url: `${peers.nest_hello.url}/health/live` } },
    unguarded: { what: 'service GET /health/live', load: { url: `${a.url}/health/live` } },
    webhooks: {
      what: 'service POST /webhooks/fusionauth',
      load: inputs.webhooks ?? { url: `${a.url}/webhooks/fusionauth` },
    },
    guarded: {
      what: 'service GET /api/me, one token',
      load: { url: `${a.url}/api/me`, headers: bearer(inputs.token) },
    },
    express_jwt_bearer: {
      what: 'express-oauth2-jwt-bearer, one token',
      load: { url: `${peers.express_jwt_bearer.url}/api/me`, headers: bearer(inputs.token) },
    },
    guarded_cold: {
      what: 'service GET /api/me, distinct tokens',
      load: distinct(`${a.url}/api/me`, inputs.coldTokens),
    },
    express_jwt_bearer_cold: {
      what: 'express-oauth2-jwt-bearer, distinct tokens',
      load: distinct(`${peers.express_jwt_bearer.url}/api/me`, inputs.coldTokens),
    },
    nest_passport_jwt_cold: {
      what: 'nest + passport-jwt + jwks-rsa, distinct tokens',
      load: distinct(`${peers.nest_passport_jwt.url}/api/me`, inputs.coldTokens),
    },
    session_page: {
      what: 'service GET /account, Redis session',
      load: { url: `${a.url}/account`, headers: { cookie: inputs.serviceCookie } },
    },
    express_openid_connect: {
      what: 'express-openid-connect GET /account, connect-redis session',
      load: { url: `${peers.express_openid_connect.url}/account`, headers: { cookie: inputs.peerCookie } },
    },
  };
  const servedBy = (name: TargetName): number | undefined => {
    const peer = PEER_OF[name];
    return (peer ? peers[peer] : a).child.pid;
  };
  return TARGET_NAMES.map((name) => ({ name, warm: name !== 'webhooks', pid: servedBy(name), ...all[name] }));
}
