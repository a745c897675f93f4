import { All, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../common/app.errors';
import { Public } from '../common/public.decorator';
import { RateLimit } from '../common/rate-limit.guard';
import { MachineRoute } from '../common/route-kind.decorator';
import { WebhooksService, WebhookStatus } from './webhooks.service';

/** FusionAuth's webhook. Public to the guard: every request proves itself with its signature. */
@MachineRoute()
@Controller('webhooks/fusionauth')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Public()
  @RateLimit('webhook')
  @Post()
  @HttpCode(200)
  async receive(@Req() req: Request): Promise<{ status: WebhookStatus }> {
    if (!req.is('application/json')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', String(req.headers['content-type']));
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const status = await this.webhooks.handle(body, {
      authorization: req.headers.authorization,
      signature: req.header('x-fusionauth-signature-jwt'),
    });
    return { status };
  }

  @Public()
  @All()
  otherMethods(): never {
    throw new AppError('METHOD_NOT_ALLOWED', 'webhooks are POSTed');
  }
}
