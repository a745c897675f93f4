import { Controller, Get, Injectable, Module, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { peerEnv, runPeer } from './peer-env';

// The tutorial way: Nest + @nestjs/passport + passport-jwt, keys through jwks-rsa with its cache and
// rate limit on (as jwks-rsa's README recommends), issuer, audience and algorithm checked.

const env = peerEnv();

interface Claims {
  sub?: string;
  email?: string;
  roles?: string[];
  applicationId?: string;
  exp?: number;
}

@Injectable()
class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({
      secretOrKeyProvider: passportJwtSecret({
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 5,
        jwksUri: `${env.issuer}/.well-known/jwks.json`,
      }),
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      issuer: env.issuer,
      audience: env.clientId,
      algorithms: ['RS256'],
    });
  }

  validate(payload: Claims): Claims {
    return payload;
  }
}

@Controller('api')
class MeController {
  @UseGuards(AuthGuard('jwt'))
  @Get('me')
  me(@Req() req: { user: Claims }): Claims {
    const { sub, email, roles, applicationId, exp } = req.user;
    return { sub, email, roles, applicationId, exp };
  }
}

@Module({ imports: [PassportModule], controllers: [MeController], providers: [JwtStrategy] })
class PassportJwtModule {}

runPeer(async () => {
  const app = await NestFactory.create(PassportJwtModule, { logger: false });
  await app.listen(env.port, '127.0.0.1');
});
