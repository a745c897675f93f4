import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { DiscoveryError } from './discovery.errors';
import { fetchJson } from './fetch-json';
import { ProviderMetadata } from './provider-metadata';

const TIMEOUT_MS = 3000;
const RETRY_AFTER_FAILURE_MS = 2000;
const REQUIRED = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
/** How long a reachability answer is reused: an answer costs one request, whatever the login rate. */
const REACHABLE_FOR_MS = 5000;
const UNREACHABLE_FOR_MS = 1000;
const PROBE_TIMEOUT_MS = 1500;

interface Entry {
  metadata?: ProviderMetadata;
  pending?: Promise<ProviderMetadata>;
  failedAt?: number;
  error?: string;
}

/**
 * Each provider's discovery document, fetched at start and kept. A provider that is down at start is
 * retried on demand (at most every two seconds), so the service starts and recovers without it.
 */
@Injectable()
export class ProviderDiscovery implements OnApplicationBootstrap {
  private readonly logger = new Logger('Discovery');
  private readonly entries = new Map<string, Entry>();
  private readonly reachability = new Map<string, { at: number; ok: boolean; pending?: Promise<boolean> }>();

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(
      this.config.providers.map((provider) =>
        this.metadata(provider).then(
          () => this.logger.log(`provider ${provider.name}: ${provider.issuer} discovered`),
          (error: unknown) =>
            this.logger.error(
              `provider ${provider.name}: discovery at ${provider.issuer} failed (${describe(error)}); ` +
                'logins through it fail until it answers',
            ),
        ),
      ),
    );
  }

  async metadata(provider: ProviderConfig): Promise<ProviderMetadata> {
    const entry = this.entry(provider.name);
    if (entry.metadata) return entry.metadata;
    if (entry.pending) return entry.pending;
    if (entry.failedAt !== undefined && this.clock.now() - entry.failedAt < RETRY_AFTER_FAILURE_MS) {
      throw new DiscoveryError(provider.name, entry.error ?? 'unavailable');
    }
    entry.pending = discover(provider).then(
      (metadata) => {
        entry.metadata = metadata;
        entry.pending = undefined;
        return metadata;
      },
      (error: unknown) => {
        entry.pending = undefined;
        entry.failedAt = this.clock.now();
        entry.error = (error as Error).message;
        throw new DiscoveryError(provider.name, entry.error);
      },
    );
    return entry.pending;
  }

  /**
   * Whether the provider answered a moment ago: a browser is not sent to a login page that is down
   * (it gets an error page instead). Concurrent callers share one probe.
   */
  async reachable(provider: ProviderConfig): Promise<boolean> {
    const last = this.reachability.get(provider.name);
    if (last?.pending) return last.pending;
    const now = this.clock.now();
    if (last && now - last.at < (last.ok ? REACHABLE_FOR_MS : UNREACHABLE_FOR_MS)) return last.ok;
    const pending = this.answers(provider, PROBE_TIMEOUT_MS).then((ok) => {
      this.reachability.set(provider.name, { at: this.clock.now(), ok });
      return ok;
    });
    this.reachability.set(provider.name, { at: last?.at ?? -Infinity, ok: last?.ok ?? false, pending });
    return pending;
  }

  /** For readiness: whether the discovery document answers now. */
  async answers(provider: ProviderConfig, timeoutMs = 1000): Promise<boolean> {
    try {
      validate(provider, await fetchJson(provider.discoveryUrl, timeoutMs));
      return true;
    } catch {
      return false;
    }
  }

  private entry(name: string): Entry {
    let entry = this.entries.get(name);
    if (!entry) this.entries.set(name, (entry = {}));
    return entry;
  }
}

const describe = (error: unknown): string =>
  error instanceof DiscoveryError
    ? (error.detail ?? error.message)
    : error instanceof Error
      ? error.message
      : String(error);

async function discover(provider: ProviderConfig): Promise<ProviderMetadata> {
  return validate(provider, await fetchJson(provider.discoveryUrl, TIMEOUT_MS));
}

function validate(provider: ProviderConfig, document: unknown): ProviderMetadata {
  if (typeof document !== 'object' || document === null) throw new Error('the discovery document is not an object');
  const metadata = document as Record<string, unknown>;
  // OpenID Connect Discovery 1.0, 4.3: the issuer in the document must be exactly the one configured,
  // or tokens from an impostor could be accepted under the configured name.
  if (metadata.issuer !== provider.issuer) {
    throw new Error(`the discovery document names issuer ${JSON.stringify(metadata.issuer)}, not ${provider.issuer}`);
  }
  for (const field of REQUIRED) {
    if (typeof metadata[field] !== 'string' || !/^https?:\/\//.test(metadata[field])) {
      throw new Error(`the discovery document has no valid ${field}`);
    }
  }
  return metadata as unknown as ProviderMetadata;
}
