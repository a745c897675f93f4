import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { Clock } from '../common/clock';
import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { DenylistService } from '../denylist/denylist.service';
import { FusionAuthService, ManagedUser } from '../fusionauth/fusionauth.service';
import { SessionService } from '../session/session.service';

/**
 * Administration of this application's users through FusionAuth. Deactivation takes effect here at
 * once (revocation, sessions ended) rather than waiting for FusionAuth's webhook, which then finds
 * it already done.
 */
@Injectable()
export class UserAdminService {
  private readonly logger = new Logger('UserAdmin');
  private readonly provider: ProviderConfig;

  constructor(
    private readonly config: AppConfig,
    private readonly fusionAuth: FusionAuthService,
    private readonly denylist: DenylistService,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
  ) {
    const provider = config.providers.find((p) => p.kind === 'fusionauth');
    this.provider = provider ?? config.defaultProvider;
  }

  async find(userId: string): Promise<ManagedUser> {
    const user = this.provider.fusionAuth ? await this.fusionAuth.user(this.provider, userId) : undefined;
    if (!user) throw new AppError('NOT_FOUND', `user ${userId}`);
    return user;
  }

  async findByEmail(email: string): Promise<ManagedUser | undefined> {
    return this.provider.fusionAuth ? this.fusionAuth.userByEmail(this.provider, email) : undefined;
  }

  async deactivate(userId: string, by: string): Promise<ManagedUser> {
    const user = await this.registered(userId);
    const roles = user.registration.roles;
    if (!roles.includes(DEACTIVATED_ROLE))
      await this.fusionAuth.setRoles(this.provider, userId, [...roles, DEACTIVATED_ROLE]);
    await this.fusionAuth.revokeRefreshTokensOf(this.provider, userId);
    const applicationId = this.provider.clientId;
    await this.denylist.revoke([
      {
        subject: { kind: 'user-app', issuerKey: this.provider.issuerKey, userId, applicationId },
        instant: this.clock.now(),
        ttlMs: (this.config.accessTokenTtlS + 60) * 1000,
      },
    ]);
    await this.sessions.endAllForUser(userId, { provider: this.provider.name });
    this.logger.log(`user ${userId} deactivated by ${by}`);
    return this.find(userId);
  }

  async reactivate(userId: string, by: string): Promise<ManagedUser> {
    const user = await this.registered(userId);
    const roles = user.registration.roles.filter((r) => r !== DEACTIVATED_ROLE);
    if (roles.length !== user.registration.roles.length) await this.fusionAuth.setRoles(this.provider, userId, roles);
    this.logger.log(`user ${userId} reactivated by ${by}`);
    return this.find(userId);
  }

  private async registered(
    userId: string,
  ): Promise<ManagedUser & { registration: NonNullable<ManagedUser['registration']> }> {
    const user = await this.find(userId);
    if (!user.registration) throw new AppError('NOT_FOUND', `user ${userId} is not registered for this application`);
    return user as ManagedUser & { registration: NonNullable<ManagedUser['registration']> };
  }
}
