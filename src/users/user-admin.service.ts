import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ProviderConfig } from '../config/app-config';
import { AppError } from '../common/app.errors';
import { AuthenticatedUser } from '../common/authenticated-user';
import { Clock } from '../common/clock';
import { DEACTIVATED_ROLE } from '../common/deactivated-role';
import { DenylistService } from '../denylist/denylist.service';
import { FusionAuthService, ManagedUser } from '../fusionauth/fusionauth.service';
import { FusionAuthUserSearch } from '../fusionauth/fusionauth-user-search.service';
import { SessionService } from '../session/session.service';
import { revocationInstant, revocationTtlMs } from './service-revocation';

const ADMIN_ROLE = 'admin';

/** Users per page of the admin list. */
export const USERS_PER_PAGE = 10;

/** A user in the admin list: active here, or deactivated (by this application's role, or at FusionAuth). */
export interface ListedUser extends ManagedUser {
  readonly status: 'active' | 'deactivated';
}

export interface UserList {
  readonly users: ListedUser[];
  readonly total: number;
  readonly page: number;
  readonly pages: number;
}

type RegisteredUser = ManagedUser & { registration: NonNullable<ManagedUser['registration']> };

/**
 * Administration of this application's users through FusionAuth. Only the FusionAuth provider's own
 * admins administer its users: a role another provider vouches for never reaches them. Deactivation
 * takes effect here at once (revocation, sessions ended) rather than waiting for FusionAuth's
 * webhook, which then finds it already done.
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
    private readonly search: FusionAuthUserSearch,
  ) {
    const provider = config.providers.find((p) => p.kind === 'fusionauth');
    this.provider = provider ?? config.defaultProvider;
  }

  /** A user registered for this application; anyone else is not ours to show (404). */
  async find(userId: string, actor: AuthenticatedUser): Promise<RegisteredUser> {
    this.administeredBy(actor);
    const user = await this.fusionAuth.user(this.provider, userId);
    if (!user?.registration) throw new AppError('NOT_FOUND', `user ${userId} is not registered for this application`);
    return user as RegisteredUser;
  }

  async findByEmail(email: string, actor: AuthenticatedUser): Promise<RegisteredUser | undefined> {
    this.administeredBy(actor);
    const user = await this.fusionAuth.userByEmail(this.provider, email);
    return user?.registration ? (user as RegisteredUser) : undefined;
  }

  /** One page of the users registered for this application, found by FusionAuth's User Search API. */
  async list(actor: AuthenticatedUser, query: { term?: string; page?: number }): Promise<UserList> {
    this.administeredBy(actor);
    const page = query.page ?? 1;
    const found = await this.search.search(this.provider, {
      term: query.term,
      startRow: (page - 1) * USERS_PER_PAGE,
      numberOfResults: USERS_PER_PAGE,
    });
    const users = found.users.map((user) => ({ ...user, status: statusOf(user) }));
    return { users, total: found.total, page, pages: Math.max(1, Math.ceil(found.total / USERS_PER_PAGE)) };
  }

  /**
   * Gives the user the `deactivated` role here and ends everything they hold. An admin cannot
   * deactivate themselves, and an admin is deactivated only by another admin who still is one at
   * FusionAuth, before and after the change: so one always remains.
   */
  async deactivate(userId: string, actor: AuthenticatedUser): Promise<ManagedUser> {
    if (userId === actor.id) throw new AppError('SELF_DEACTIVATION', `admin ${actor.id}`);
    const user = await this.find(userId, actor);
    const roles = user.registration.roles;
    const admin = isActiveAdmin(user);
    if (admin && !(await this.stillAdmin(actor.id))) throw new AppError('LAST_ADMIN', `${actor.id} is no admin now`);
    let changedAt: number | undefined;
    if (!roles.includes(DEACTIVATED_ROLE)) {
      changedAt = await this.fusionAuth.setRoles(this.provider, userId, [...roles, DEACTIVATED_ROLE]);
      // Two admins deactivating each other at once: the one who finds themselves deactivated undoes theirs.
      if (admin && !(await this.stillAdmin(actor.id))) {
        await this.fusionAuth.setRoles(this.provider, userId, roles);
        throw new AppError('LAST_ADMIN', `${actor.id} was deactivated meanwhile`);
      }
    }
    await this.fusionAuth.revokeRefreshTokensOf(this.provider, userId);
    await this.revoke(userId, changedAt);
    await this.sessions.endAllForUser(userId, { provider: this.provider.name });
    this.logger.log(`user ${userId} deactivated by ${actor.id}`);
    return this.find(userId, actor);
  }

  async reactivate(userId: string, actor: AuthenticatedUser): Promise<ManagedUser> {
    const user = await this.find(userId, actor);
    const roles = user.registration.roles.filter((r) => r !== DEACTIVATED_ROLE);
    if (roles.length !== user.registration.roles.length) await this.fusionAuth.setRoles(this.provider, userId, roles);
    this.logger.log(`user ${userId} reactivated by ${actor.id}`);
    return this.find(userId, actor);
  }

  /** Tokens issued before the change, by FusionAuth's clock (see revocationInstant). */
  private async revoke(userId: string, changedAt: number | undefined): Promise<void> {
    const now = this.clock.now();
    const instant = revocationInstant(changedAt, now);
    const applicationId = this.provider.clientId;
    await this.denylist.revoke([
      {
        subject: { kind: 'user-app', issuerKey: this.provider.issuerKey, userId, applicationId },
        instant,
        ttlMs: revocationTtlMs(instant, now, this.config.accessTokenTtlS),
      },
    ]);
  }

  /** The admin routes administer one FusionAuth provider's users, for that provider's admins only. */
  private administeredBy(actor: AuthenticatedUser): void {
    if (!this.provider.fusionAuth) throw new AppError('NOT_FOUND', 'no FusionAuth provider to administer');
    if (actor.provider !== this.provider.name) {
      throw new AppError(
        'INSUFFICIENT_ROLE',
        `an admin of ${actor.provider} does not administer ${this.provider.name}`,
      );
    }
  }

  /** Whether FusionAuth says so now, whatever the caller's token still says. */
  private async stillAdmin(userId: string): Promise<boolean> {
    const user = await this.fusionAuth.user(this.provider, userId);
    return user !== undefined && isActiveAdmin(user);
  }
}

function statusOf(user: ManagedUser): ListedUser['status'] {
  return user.active && !user.registration?.roles.includes(DEACTIVATED_ROLE) ? 'active' : 'deactivated';
}

function isActiveAdmin(user: ManagedUser): boolean {
  const roles = user.registration?.roles ?? [];
  return user.active && roles.includes(ADMIN_ROLE) && !roles.includes(DEACTIVATED_ROLE);
}
