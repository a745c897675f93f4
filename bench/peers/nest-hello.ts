import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { peerEnv, runPeer } from './peer-env';

// The bare Nest app: one JSON route, the same @nestjs packages and platform (Express) as the
// service, nothing else.

@Controller()
class HelloController {
  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

runPeer(async () => {
  const app = await NestFactory.create(HelloModule, { logger: false });
  await app.listen(peerEnv().port, '127.0.0.1');
});
