import { randomBytes, randomUUID } from 'node:crypto';
import type { Application, Tenant, Webhook } from '@fusionauth/typescript-client';
import type { Router } from 'express';
import { generateSigningKey, importKeyPair, KeyAlgorithm, keyResponse, SigningKey } from '../state/signing-keys';
import { ApiContext, pathParam, bodyOf, fieldError, handle, merge, notFound, param } from './api-support';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512'];

/** Keys, tenants, applications, webhooks and system configuration: what a kickstart file sets up. */
export function configApi(router: Router, ctx: ApiContext): void {
  const { state } = ctx;

  router.post(
    '/api/key/generate{/:keyId}',
    handle((req) => {
      const request = bodyOf<{ algorithm?: string; name?: string; length?: number }>(req, 'key');
      const id = param(pathParam(req, 'keyId')) ?? randomUUID();
      if (state.keys.has(id)) throw fieldError('key.id', 'duplicate', `A key with Id [${id}] already exists.`);
      if (!request.algorithm || !ALGORITHMS.includes(request.algorithm)) {
        throw fieldError('key.algorithm', 'invalid', `The [key.algorithm] must be one of ${ALGORITHMS.join(', ')}.`);
      }
      if (!request.name) throw fieldError('key.name', 'blank', 'You must specify the [key.name] property.');
      const key = generateSigningKey(
        id,
        request.algorithm as KeyAlgorithm,
        request.name,
        Number(request.length) || undefined,
        state.now(),
      );
      state.keys.set(id, key);
      return { key: keyResponse(key) };
    }),
  );

  router.post(
    '/api/key/import{/:keyId}',
    handle((req) => {
      const request = bodyOf<{ algorithm?: string; name?: string; secret?: string; kid?: string; privateKey?: string }>(
        req,
        'key',
      );
      const id = param(pathParam(req, 'keyId')) ?? randomUUID();
      if (state.keys.has(id)) throw fieldError('key.id', 'duplicate', `A key with Id [${id}] already exists.`);
      if (!request.algorithm || !ALGORITHMS.includes(request.algorithm)) {
        throw fieldError('key.algorithm', 'invalid', `The [key.algorithm] must be one of ${ALGORITHMS.join(', ')}.`);
      }
      const name = request.name ?? id;
      const algorithm = request.algorithm as KeyAlgorithm;
      let key: SigningKey;
      if (algorithm.startsWith('HS')) {
        if (!request.secret) throw fieldError('key.secret', 'blank', 'You must specify the [key.secret] property.');
        const kid = request.kid ?? randomBytes(5).toString('hex');
        key = { id, kid, algorithm, name, type: 'HMAC', insertInstant: state.now(), secret: request.secret };
      } else {
        // The dev IdP signs with what it imports: a key pair needs its private key.
        if (!request.privateKey)
          throw fieldError('key.privateKey', 'blank', 'You must specify the [key.privateKey] property.');
        key = importKeyPair(id, { algorithm, name, kid: request.kid, privateKey: request.privateKey }, state.now());
      }
      state.keys.set(id, key);
      return { key: keyResponse(key) };
    }),
  );

  router.get(
    '/api/key/:keyId',
    handle((req) => {
      const key = state.keys.get(pathParam(req, 'keyId'));
      if (!key) throw notFound();
      return { key: keyResponse(key) };
    }),
  );

  router.post(
    '/api/tenant{/:tenantId}',
    handle((req) => {
      const tenant: Tenant = {
        ...bodyOf<Tenant>(req, 'tenant'),
        id: param(pathParam(req, 'tenantId')) ?? randomUUID(),
      };
      state.tenants.set(tenant.id!, tenant);
      return { tenant };
    }),
  );

  router.patch(
    '/api/tenant/:tenantId',
    handle((req) => {
      const before = state.tenants.get(pathParam(req, 'tenantId'));
      if (!before) throw notFound();
      const tenant = merge(before, bodyOf<Tenant>(req, 'tenant'));
      state.tenants.set(tenant.id!, tenant);
      const keysChanged =
        before.jwtConfiguration?.accessTokenKeyId !== tenant.jwtConfiguration?.accessTokenKeyId ||
        before.jwtConfiguration?.idTokenKeyId !== tenant.jwtConfiguration?.idTokenKeyId;
      const apps = [...state.applications.values()].filter((a) => a.tenantId === tenant.id).map((a) => a.id!);
      ctx.configChanged(keysChanged ? { keysOf: apps } : {});
      return { tenant };
    }),
  );

  router.get(
    '/api/tenant/:tenantId',
    handle((req) => {
      const tenant = state.tenants.get(pathParam(req, 'tenantId'));
      if (!tenant) throw notFound();
      return { tenant };
    }),
  );

  router.post(
    '/api/application{/:applicationId}',
    handle((req) => {
      const id = param(pathParam(req, 'applicationId')) ?? randomUUID();
      if (state.applications.has(id))
        throw fieldError('application.id', 'duplicate', `An Application with Id [${id}] already exists.`);
      const request = bodyOf<Application>(req, 'application');
      const tenantId = param(req.get('x-fusionauth-tenantid')) ?? request.tenantId ?? state.defaultTenantId;
      const application: Application = {
        ...request,
        id,
        tenantId,
        active: true,
        roles: (request.roles ?? []).map((role) => ({ ...role, id: role.id ?? randomUUID() })),
        oauthConfiguration: {
          ...request.oauthConfiguration,
          clientId: id,
          clientSecret: request.oauthConfiguration?.clientSecret || randomBytes(32).toString('base64url'),
        },
      };
      state.applications.set(id, application);
      ctx.configChanged({});
      return { application };
    }),
  );

  router.patch(
    '/api/application/:applicationId',
    handle((req) => {
      const before = state.applications.get(pathParam(req, 'applicationId'));
      if (!before) throw notFound();
      const application = merge(before, bodyOf<Application>(req, 'application'));
      state.applications.set(application.id!, application);
      const keysChanged =
        before.jwtConfiguration?.accessTokenKeyId !== application.jwtConfiguration?.accessTokenKeyId ||
        before.jwtConfiguration?.idTokenKeyId !== application.jwtConfiguration?.idTokenKeyId;
      ctx.configChanged(keysChanged ? { keysOf: [application.id!] } : {});
      return { application };
    }),
  );

  router.get(
    '/api/application/:applicationId',
    handle((req) => {
      const application = state.applications.get(pathParam(req, 'applicationId'));
      if (!application) throw notFound();
      return { application };
    }),
  );

  router.post(
    '/api/webhook{/:webhookId}',
    handle((req) => {
      const webhook: Webhook = {
        ...bodyOf<Webhook>(req, 'webhook'),
        id: param(pathParam(req, 'webhookId')) ?? randomUUID(),
      };
      if (!webhook.url) throw fieldError('webhook.url', 'blank', 'You must specify the [webhook.url] property.');
      state.webhooks.set(webhook.id!, webhook);
      return { webhook };
    }),
  );

  for (const method of ['put', 'patch'] as const) {
    router[method](
      '/api/webhook/:webhookId',
      handle((req) => {
        const before = state.webhooks.get(pathParam(req, 'webhookId'));
        if (!before) throw notFound();
        const request = bodyOf<Webhook>(req, 'webhook');
        const webhook = method === 'put' ? { ...request, id: before.id } : merge(before, request);
        state.webhooks.set(before.id!, webhook);
        return { webhook };
      }),
    );
  }

  router.get(
    '/api/webhook/:webhookId',
    handle((req) => {
      const webhook = state.webhooks.get(pathParam(req, 'webhookId'));
      if (!webhook) throw notFound();
      return { webhook };
    }),
  );

  router.delete(
    '/api/webhook/:webhookId',
    handle((req) => {
      if (!state.webhooks.delete(pathParam(req, 'webhookId'))) throw notFound();
      return undefined;
    }),
  );

  // Accepted so a kickstart written for FusionAuth runs unchanged (CORS and the like do not apply here).
  router.patch(
    '/api/system-configuration',
    handle((req) => ({ systemConfiguration: bodyOf(req, 'systemConfiguration') })),
  );
}
