import { Controller, Get } from '@nestjs/common';
import { Authenticated } from '../common/authenticated.decorator';
import { CurrentUser } from '../common/current-user.decorator';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { MachineRoute } from '../common/http/route-kind.decorator';

export interface MeResponse {
  sub: string;
  /** The configured provider that issued the token: the same `sub` at two providers is two people. */
  provider: string;
  email?: string;
  roles: readonly string[];
  applicationId?: string;
  exp?: number;
}

@MachineRoute()
@Controller('api')
export class MeController {
  /** Who the bearer token says the caller is, after every check the guard makes. */
  @Authenticated()
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): MeResponse {
    return {
      sub: user.id,
      provider: user.provider,
      email: user.email,
      roles: user.roles,
      applicationId: user.applicationId,
      exp: user.tokenExpiresAt,
    };
  }
}
