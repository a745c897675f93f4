import { All, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../common/app.errors';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/http/rate-limit.guard';
import { MachineRoute } from '../common/http/route-kind.decorator';
import { WebhookHeaders, WebhooksService, WebhookStatus } from './webhooks.service';

/**
 * FusionAuth's webhooks: `/webhooks/fusionauth` for the default FusionAuth provider and
 * `/webhooks/fusionauth/<name>` for each, verified with that provider's own keys. Public to the
 * guard: every request proves itself with its signature.
 */
@MachineRoute()
@Controller('webhooks/fusionauth')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  // One handler for both paths: one rate-limit budget per client, whichever path it posts to.
  @Public()
  @RateLimit('webhook')
  @Post(['', ':provider'])
  @HttpCode(200)
  async receive(
    @Param('provider') provider: string | undefined,
    @Req() req: Request,
  ): Promise<{ status: WebhookStatus }> {
    return { status: await this.webhooks.handle(provider, bodyOf(req), headersOf(req)) };
  }

  @Public()
  @All(['', ':provider'])
  otherMethods(): never {
    throw new AppError('METHOD_NOT_ALLOWED', 'webhooks are POSTed');
  }
}

function bodyOf(req: Request): Buffer {
  if (!req.is('application/json')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', String(req.headers['content-type']));
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

function headersOf(req: Request): WebhookHeaders {
  return { authorization: req.headers.authorization, signature: req.header('x-fusionauth-signature-jwt') };
}
