import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt?: number;
}

/**
 * oidc-provider's storage, kept by the dev IdP so it survives rebuilding the provider (a new key, a
 * changed application) and so tokens can be listed and revoked by user, application or id — which
 * FusionAuth's refresh-token API needs and oidc-provider's own adapters cannot do.
 */
export class OidcStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly clientMetadata: (clientId: string) => AdapterPayload | undefined,
  ) {}

  /** The adapter class oidc-provider instantiates once per model. */
  adapterClass(): new (model: string) => Adapter {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    return class DevIdpAdapter implements Adapter {
      constructor(private readonly model: string) {}
      upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
        store.entries.set(`${this.model}:${id}`, {
          payload,
          expiresAt: expiresIn ? store.now() + expiresIn * 1000 : undefined,
        });
        return Promise.resolve();
      }
      find(id: string): Promise<AdapterPayload | undefined> {
        if (this.model === 'Client') return Promise.resolve(store.clientMetadata(id));
        return Promise.resolve(store.get(this.model, id));
      }
      findByUid(uid: string): Promise<AdapterPayload | undefined> {
        return Promise.resolve(store.list(this.model, (p) => p.uid === uid)[0]);
      }
      findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
        return Promise.resolve(store.list(this.model, (p) => p.userCode === userCode)[0]);
      }
      consume(id: string): Promise<void> {
        const entry = store.entries.get(`${this.model}:${id}`);
        if (entry) entry.payload.consumed = Math.floor(store.now() / 1000);
        return Promise.resolve();
      }
      destroy(id: string): Promise<void> {
        store.entries.delete(`${this.model}:${id}`);
        return Promise.resolve();
      }
      revokeByGrantId(grantId: string): Promise<void> {
        store.deleteWhere((model, payload) => model === this.model && payload.grantId === grantId);
        return Promise.resolve();
      }
    };
  }

  get(model: string, id: string): AdapterPayload | undefined {
    const entry = this.entries.get(`${model}:${id}`);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(`${model}:${id}`);
      return undefined;
    }
    return entry.payload;
  }

  list(model: string, predicate: (payload: AdapterPayload) => boolean = () => true): AdapterPayload[] {
    const found: AdapterPayload[] = [];
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(`${model}:`)) continue;
      if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) continue;
      if (predicate(entry.payload)) found.push(entry.payload);
    }
    return found;
  }

  /** Ends a refresh-token family: the grant and every code and token issued under it. */
  revokeGrant(grantId: string): void {
    this.deleteWhere((model, payload, id) => payload.grantId === grantId || (model === 'Grant' && id === grantId));
  }

  private deleteWhere(predicate: (model: string, payload: AdapterPayload, id: string) => boolean): void {
    for (const [key, entry] of this.entries) {
      const [model = '', ...rest] = key.split(':');
      if (predicate(model, entry.payload, rest.join(':'))) this.entries.delete(key);
    }
  }
}
