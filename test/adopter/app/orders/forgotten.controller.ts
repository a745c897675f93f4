import { Controller, Get } from '@nestjs/common';

/**
 * A controller whose author forgot to say what kind of route it is. Neither kind is guessed from
 * its URL: the package's guard refuses it (404) until it declares @MachineRoute or @BrowserRoute.
 */
@Controller('v1/forgotten')
export class ForgottenController {
  @Get()
  secret(): { secret: string } {
    return { secret: 'never served' };
  }
}
