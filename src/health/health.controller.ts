import { Controller, Get, Header, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { HealthIndicatorFunction } from '@nestjs/terminus';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { MetricsService } from '../common/observability/metrics.service';
import { Public } from '../common/public.decorator';
import { MachineRoute } from '../common/http/route-kind.decorator';
import { ShutdownState } from '../common/shutdown-state';
import { DenylistService } from '../denylist/denylist.service';
import { RedisService } from '../redis/redis.service';
import { ClientCredentialsStatus } from '../tokens/client-credentials-status.service';
import { ProviderDiscovery } from '../tokens/provider-discovery.service';

/** A discovery document is fetched at most this often by readiness probes, whatever their rate. */
const DISCOVERY_CACHE_MS = 5000;
const PROBE_TIMEOUT_MS = 1500;

@MachineRoute({ quiet: true })
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly discovery: ProviderDiscovery,
    private readonly clientStatus: ClientCredentialsStatus,
    private readonly denylist: DenylistService,
    private readonly shutdown: ShutdownState,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Liveness: the process answers. It checks no dependency, so an outage never restarts instances.
   * Terminus's answer for an empty check, without running it (no-store comes from the headers of every answer).
   */
  @Public()
  @Get('health/live')
  live(): HealthCheckResult {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  /** Readiness: 503 with each part that is down named, so a balancer sends this instance nothing. */
  @Public()
  @Get('health/ready')
  async ready(@Res() res: Response): Promise<void> {
    try {
      res.json(await this.readiness());
    } catch (error) {
      // Terminus reports a failed check as a 503 whose body names each part; it is the answer, not an error.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503).json(error.getResponse());
    }
  }

  private readiness(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.shutdown.draining
          ? this.indicators.check('process').down({ message: 'shutting down' })
          : this.indicators.check('process').up(),
      ...(this.redis.enabled ? [this.redisIndicator()] : []),
      ...this.config.providers.map((provider) => this.issuerIndicator(provider)),
      () => this.denylistIndicator(),
    ]);
  }

  /** Prometheus text; with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`. */
  @Public()
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (this.config.metricsToken && !bearerMatches(req.headers.authorization, this.config.metricsToken)) {
      throw new AppError('LOGIN_REQUIRED', 'metrics without the METRICS_TOKEN bearer');
    }
    const { contentType, body } = await this.metrics.render();
    res.type(contentType).send(body);
  }

  private redisIndicator(): HealthIndicatorFunction {
    return () =>
      this.indicators
        .check('redis')
        .attempt(async () => {
          if (!(await this.redis.ping(PROBE_TIMEOUT_MS))) throw new Error('Redis does not answer');
          return { mode: this.redis.mode, ...(await this.replicas()) };
        })
        .withTimeout(PROBE_TIMEOUT_MS + 500);
  }

  /** The replicas the revocations' master has, next to how many a revocation waits for. */
  private async replicas(): Promise<{ replicas?: number; waitReplicas: number }> {
    const waitReplicas = this.config.redis.waitReplicas;
    const replicas = await this.denylist.replicaCount().catch(() => undefined);
    return replicas === undefined ? { waitReplicas } : { replicas, waitReplicas };
  }

  private issuerIndicator(provider: AppConfig['providers'][number]): HealthIndicatorFunction {
    return () => {
      const check = this.indicators.check(`issuer:${provider.name}`);
      // A provider that refuses our client credentials can sign no one in and refresh no session.
      if (this.clientStatus.refusal(provider.name) !== undefined) {
        return check.down({ message: `${provider.issuer} refuses the client credentials (invalid_client)` });
      }
      return check
        .attempt(async () => {
          if (!(await this.discovery.answers(provider, PROBE_TIMEOUT_MS))) {
            throw new Error(`the discovery document of ${provider.issuer} does not answer`);
          }
          return { issuer: provider.issuer };
        })
        .withTimeout(PROBE_TIMEOUT_MS + 500)
        .cacheFor(DISCOVERY_CACHE_MS);
    };
  }

  private denylistIndicator() {
    const check = this.indicators.check('denylist');
    const stalenessS = Math.round(this.denylist.stalenessMs) / 1000;
    if (this.denylist.healing) {
      return check.down({ message: 'writing back revocation entries Redis lost', entries: this.denylist.entryCount });
    }
    return this.denylist.fresh
      ? check.up({ entries: this.denylist.entryCount })
      : check.down({ message: 'revocation state is not confirmed current', stalenessS });
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
